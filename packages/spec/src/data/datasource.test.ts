import { describe, it, expect, expectTypeOf } from 'vitest';
import type { z } from 'zod';
import { INLINE_SECRET_MESSAGE, type SecretRef } from '../shared/secret-ref.zod';
import {
  DATASOURCE_CAPABILITIES,
  DEFAULT_PORTS,
  DatasourceCapabilitiesSchema,
  DatasourceDatabaseNameSchema,
  DatasourceDriverSchema,
  DatasourceHostSchema,
  DatasourcePoolSchema,
  DatasourcePortSchema,
  DatasourceSchema,
  DatasourceTlsSchema,
  DatasourceUrlConnectionSchema,
  MONGODB_CAPABILITIES,
  MYSQL_CAPABILITIES,
  MongodbConnectionSchema,
  MongodbDatasourceSchema,
  MysqlConnectionSchema,
  MysqlDatasourceSchema,
  POSTGRES_CAPABILITIES,
  PostgresConnectionSchema,
  PostgresDatasourceSchema,
  SQLITE_CAPABILITIES,
  SqliteConnectionSchema,
  SqliteDatasourceSchema,
  type Datasource,
  type DatasourceCapabilities,
  type DatasourceDriver,
  type DatasourceInput,
  type DatasourcePool,
  type DatasourcePoolInput,
  type DatasourceTls,
  type DatasourceTlsInput,
  type MongodbDatasource,
  type MysqlDatasourceInput,
  type PostgresConnection,
  type PostgresDatasource,
  type PostgresDatasourceInput,
  type SqliteDatasource,
  type SqliteDatasourceInput,
} from './datasource.zod';
import { issuesOf, type Path } from '../testing';

const POOL_DEFAULTS = { min: 0, max: 10, idleTimeoutMs: 30_000, acquireTimeoutMs: 10_000 };
const TLS_DEFAULTS = { mode: 'verify_full' };

const pgHost = { host: 'db.internal.example.com', database: 'metasource', user: 'metasource' };
const pgMinimal = { driver: 'postgres', name: 'metadata_db', connection: pgHost };
const mysqlMinimal = { driver: 'mysql', name: 'metadata_db', connection: pgHost };
const sqliteMinimal = { driver: 'sqlite', name: 'metadata_db', connection: { filename: '/var/lib/metasource/metadata.db' } };
const mongoMinimal = { driver: 'mongodb', name: 'metadata_db', connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' } };

describe('DatasourceDriverSchema', () => {
  it('lists the four drivers', () => {
    expect(DatasourceDriverSchema.options).toEqual(['postgres', 'mysql', 'sqlite', 'mongodb']);
  });

  it.each(['oracle', 'Postgres', 'postgresql', 'mariadb', '', 1, null])('rejects %j', (input) => {
    expect(issuesOf(DatasourceDriverSchema, input)).toEqual([{ path: [], code: 'invalid_value' }]);
  });

  it('types', () => {
    expectTypeOf<DatasourceDriver>().toEqualTypeOf<'postgres' | 'mysql' | 'sqlite' | 'mongodb'>();
  });
});

describe('DatasourcePoolSchema', () => {
  it('fills every default from an empty object', () => {
    expect(DatasourcePoolSchema.parse({})).toEqual(POOL_DEFAULTS);
  });

  it('parses a pool with every field set and round-trips it', () => {
    const full = { min: 2, max: 20, idleTimeoutMs: 0, acquireTimeoutMs: 600_000 };
    expect(DatasourcePoolSchema.parse(full)).toEqual(full);
    expect(DatasourcePoolSchema.parse(DatasourcePoolSchema.parse(full))).toEqual(full);
  });

  it('accepts min equal to max and the bounds', () => {
    expect(DatasourcePoolSchema.parse({ min: 5, max: 5 })).toEqual({ ...POOL_DEFAULTS, min: 5, max: 5 });
    expect(DatasourcePoolSchema.safeParse({ min: 1000, max: 1000, idleTimeoutMs: 86_400_000, acquireTimeoutMs: 1 }).success).toBe(true);
  });

  it('rejects min above max (pool_min_not_above_max), also against the default max', () => {
    for (const pool of [{ min: 6, max: 5 }, { min: 11 }]) {
      const result = DatasourcePoolSchema.safeParse(pool);
      expect(result.error?.issues).toEqual([
        expect.objectContaining({
          path: ['min'],
          code: 'custom',
          message: 'min must not be above max',
          params: { rule: 'pool_min_not_above_max' },
        }),
      ]);
    }
  });

  it.each<[string, unknown, Path, string]>([
    ['min -1', { min: -1 }, ['min'], 'too_small'],
    ['min 1.5', { min: 1.5 }, ['min'], 'invalid_type'],
    ['max 0', { max: 0 }, ['max'], 'too_small'],
    ['max 1001', { max: 1001 }, ['max'], 'too_big'],
    ['max "10"', { max: '10' }, ['max'], 'invalid_type'],
    ['max 2**53', { max: 2 ** 53 }, ['max'], 'too_big'],
    ['max 1e21', { max: 1e21 }, ['max'], 'too_big'],
    ['max NaN', { max: Number.NaN }, ['max'], 'invalid_type'],
    ['idleTimeoutMs -1', { idleTimeoutMs: -1 }, ['idleTimeoutMs'], 'too_small'],
    ['idleTimeoutMs above a day', { idleTimeoutMs: 86_400_001 }, ['idleTimeoutMs'], 'too_big'],
    ['idleTimeoutMs 0.5', { idleTimeoutMs: 0.5 }, ['idleTimeoutMs'], 'invalid_type'],
    ['acquireTimeoutMs 0', { acquireTimeoutMs: 0 }, ['acquireTimeoutMs'], 'too_small'],
    ['acquireTimeoutMs 600_001', { acquireTimeoutMs: 600_001 }, ['acquireTimeoutMs'], 'too_big'],
    ['a typo (maxx)', { maxx: 5 }, [], 'unrecognized_keys'],
    ['a unit-less key (idleTimeout)', { idleTimeout: 5 }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"max": 1}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(DatasourcePoolSchema, input)).toEqual([{ path, code }]);
  });

  it('reports min 1001 as above its bound and, since that check does not abort, above max too', () => {
    expect(issuesOf(DatasourcePoolSchema, { min: 1001, max: 1000 })).toEqual([
      { path: ['min'], code: 'too_big' },
      { path: ['min'], code: 'custom', rule: 'pool_min_not_above_max' },
    ]);
  });

  it('reports a 1e21 maximum both as an unsafe integer and as above the bound', () => {
    // Not a duplicate: the safe-integer check and the bound are separate checks.
    expect(DatasourcePoolSchema.safeParse({ max: 1e21 }).error?.issues).toMatchObject([
      { path: ['max'], code: 'too_big', origin: 'int' },
      { path: ['max'], code: 'too_big', maximum: 1000 },
    ]);
  });

  it('types: every field is optional in input and required in output', () => {
    expectTypeOf<DatasourcePoolInput['max']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DatasourcePool['max']>().toEqualTypeOf<number>();
    expectTypeOf<DatasourcePool>().toEqualTypeOf<{ min: number; max: number; idleTimeoutMs: number; acquireTimeoutMs: number }>();
  });
});

describe('DatasourceTlsSchema', () => {
  const cert = { file: '/run/secrets/db_client.crt' };
  const key = { file: '/run/secrets/db_client.key' };
  const ca = { env: 'DB_CA_PEM' };

  it('defaults to verify_full from an empty object', () => {
    expect(DatasourceTlsSchema.parse({})).toEqual(TLS_DEFAULTS);
  });

  it('parses TLS with every field set and round-trips it', () => {
    const full = { mode: 'verify_ca', ca, clientCert: cert, clientKey: key };
    expect(DatasourceTlsSchema.parse(full)).toEqual(full);
    expect(DatasourceTlsSchema.parse(DatasourceTlsSchema.parse(full))).toEqual(full);
  });

  it.each(['disable', 'require', 'verify_ca', 'verify_full'])('accepts mode %s alone', (mode) => {
    expect(DatasourceTlsSchema.parse({ mode })).toEqual({ mode });
  });

  it('accepts a client certificate with the default mode', () => {
    expect(DatasourceTlsSchema.parse({ clientCert: cert, clientKey: key })).toEqual({
      mode: 'verify_full',
      clientCert: cert,
      clientKey: key,
    });
  });

  it('rejects clientCert without clientKey (tls_client_cert_requires_key)', () => {
    expect(DatasourceTlsSchema.safeParse({ clientCert: cert }).error?.issues).toEqual([
      expect.objectContaining({
        path: ['clientKey'],
        code: 'custom',
        message: 'clientKey is required when clientCert is given',
        params: { rule: 'tls_client_cert_requires_key' },
      }),
    ]);
  });

  it('rejects clientKey without clientCert (tls_client_key_requires_cert)', () => {
    expect(DatasourceTlsSchema.safeParse({ mode: 'require', clientKey: key }).error?.issues).toEqual([
      expect.objectContaining({
        path: ['clientCert'],
        code: 'custom',
        message: 'clientCert is required when clientKey is given',
        params: { rule: 'tls_client_key_requires_cert' },
      }),
    ]);
  });

  it.each<[string, object]>([
    ['ca', { ca }],
    ['clientCert and clientKey', { clientCert: cert, clientKey: key }],
  ])('rejects mode "disable" with %s (tls_disabled_takes_no_certificates)', (_label, fields) => {
    expect(DatasourceTlsSchema.safeParse({ mode: 'disable', ...fields }).error?.issues).toEqual([
      expect.objectContaining({
        path: ['mode'],
        code: 'custom',
        message: 'mode "disable" takes no ca, clientCert or clientKey',
        params: { rule: 'tls_disabled_takes_no_certificates' },
      }),
    ]);
  });

  it('reports both rules when a disabled connection has only a client key', () => {
    expect(issuesOf(DatasourceTlsSchema, { mode: 'disable', clientKey: key })).toEqual([
      { path: ['clientCert'], code: 'custom', rule: 'tls_client_key_requires_cert' },
      { path: ['mode'], code: 'custom', rule: 'tls_disabled_takes_no_certificates' },
    ]);
  });

  it('rejects an inline PEM with the inline-secret message', () => {
    const result = DatasourceTlsSchema.safeParse({ clientCert: '-----BEGIN CERTIFICATE-----', clientKey: key });
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['clientCert'], message: INLINE_SECRET_MESSAGE })]);
  });

  it.each<[string, unknown, Path, string]>([
    ['libpq spelling verify-full', { mode: 'verify-full' }, ['mode'], 'invalid_value'],
    ['MySQL spelling VERIFY_IDENTITY', { mode: 'VERIFY_IDENTITY' }, ['mode'], 'invalid_value'],
    ['libpq prefer (silent downgrade)', { mode: 'prefer' }, ['mode'], 'invalid_value'],
    ['a boolean mode', { mode: true }, ['mode'], 'invalid_value'],
    ['inline ca', { ca: 'PEM' }, ['ca'], 'invalid_union'],
    ['inline clientKey', { clientCert: cert, clientKey: 'PEM' }, ['clientKey'], 'invalid_union'],
    ['relative ca file', { ca: { file: 'ca.pem' } }, ['ca', 'file'], 'invalid_format'],
    ['a typo (clientCrt)', { clientCrt: cert }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"mode": "disable"}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, input, path, code) => {
    expect(issuesOf(DatasourceTlsSchema, input)).toEqual([{ path, code }]);
  });

  it('types: mode is optional in input and required in output; certificates are secret references', () => {
    expectTypeOf<DatasourceTlsInput['mode']>().toEqualTypeOf<'disable' | 'require' | 'verify_ca' | 'verify_full' | undefined>();
    expectTypeOf<DatasourceTls['mode']>().toEqualTypeOf<'disable' | 'require' | 'verify_ca' | 'verify_full'>();
    expectTypeOf<DatasourceTls['clientKey']>().toEqualTypeOf<SecretRef | undefined>();
    expectTypeOf<DatasourceTls['ca']>().toEqualTypeOf<SecretRef | undefined>();
  });
});

describe('DatasourceHostSchema', () => {
  it.each([
    'localhost',
    'db.internal.example.com',
    'metadata_db',
    'pg-1.eu-west-1.rds.amazonaws.com',
    '10.0.0.12',
    '::1',
    'fe80::1',
    '2001:db8::8a2e:370:7334',
    '::ffff:10.0.0.1',
    `${'a'.repeat(63)}.com`,
    `${Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.')}.a`,
  ])('accepts %s', (host) => {
    expect(DatasourceHostSchema.parse(host)).toBe(host);
  });

  it.each<[string, unknown, string[]]>([
    ['empty', '', ['invalid_format']],
    ['a space', 'db host', ['invalid_format']],
    ['SQL', 'meta; DROP TABLE x', ['invalid_format']],
    ['a libpq keyword', "h dbname='x'", ['invalid_format']],
    ['a URL', 'postgres://db', ['invalid_format']],
    ['a port suffix', 'db:5432', ['invalid_format']],
    ['a bracketed IPv6', '[::1]', ['invalid_format']],
    ['a leading hyphen', '-db', ['invalid_format']],
    ['a trailing hyphen in a label', 'db-.example.com', ['invalid_format']],
    ['an empty label', 'db..example.com', ['invalid_format']],
    ['a trailing dot', 'db.example.com.', ['invalid_format']],
    ['a 64-character label', `${'a'.repeat(64)}.com`, ['invalid_format']],
    ['a Unix socket path', '/var/run/postgresql', ['invalid_format']],
    ['non-ASCII (IDN not punycoded)', 'bücher.example', ['invalid_format']],
    ['254 characters', `${Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.')}.ab`, ['too_big']],
    ['10_000 characters', 'a'.repeat(10_000), ['too_big', 'invalid_format']],
    ['a number', 5432, ['invalid_type']],
  ])('rejects %s', (_label, input, codes) => {
    expect(issuesOf(DatasourceHostSchema, input)).toEqual(codes.map((code) => ({ path: [], code })));
  });
});

describe('DatasourcePortSchema', () => {
  it.each([1, 5432, 65_535])('accepts %j', (port) => {
    expect(DatasourcePortSchema.parse(port)).toBe(port);
  });

  it.each<[unknown, string[]]>([
    [0, ['too_small']],
    [-1, ['too_small']],
    [65_536, ['too_big']],
    [5432.5, ['invalid_type']],
    ['5432', ['invalid_type']],
    [1e21, ['too_big']],
    [2 ** 53, ['too_big']],
    [Number.NaN, ['invalid_type']],
    [Number.POSITIVE_INFINITY, ['invalid_type']],
    [null, ['invalid_type']],
  ])('rejects %j', (input, codes) => {
    expect(issuesOf(DatasourcePortSchema, input)).toEqual(codes.map((code) => ({ path: [], code })));
  });
});

describe('DatasourceDatabaseNameSchema', () => {
  it.each(['metasource', 'crm-prod', '_internal', '2026_archive', 'A', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(DatasourceDatabaseNameSchema.parse(name)).toBe(name);
  });

  it.each<[string, unknown, string]>([
    ['empty', '', 'invalid_format'],
    ['64 characters', 'a'.repeat(64), 'invalid_format'],
    ['10_000 characters', 'a'.repeat(10_000), 'invalid_format'],
    ['a dot (MySQL and MongoDB forbid it)', 'meta.source', 'invalid_format'],
    ['a leading hyphen (read as an option by dump tools)', '-meta', 'invalid_format'],
    ['SQL', 'meta; DROP TABLE x', 'invalid_format'],
    ['a slash', 'a/b', 'invalid_format'],
    ['a space', 'meta source', 'invalid_format'],
    ['a dollar sign (MongoDB forbids it)', 'meta$', 'invalid_format'],
    ['non-ASCII', 'métadonnées', 'invalid_format'],
    ['a number', 1, 'invalid_type'],
  ])('rejects %s', (_label, input, code) => {
    expect(issuesOf(DatasourceDatabaseNameSchema, input)).toEqual([{ path: [], code }]);
  });
});

describe('DatasourceUrlConnectionSchema', () => {
  it('accepts a reference to a URL', () => {
    expect(DatasourceUrlConnectionSchema.parse({ url: { file: '/run/secrets/db_url' } })).toEqual({ url: { file: '/run/secrets/db_url' } });
  });

  it('rejects an inline URL with the inline-secret message', () => {
    expect(DatasourceUrlConnectionSchema.safeParse({ url: 'postgres://u:p@db/x' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['url'], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }),
    ]);
  });
});

describe('PostgresDatasourceSchema', () => {
  it('parses the minimal host form to the complete value with every default', () => {
    expect(PostgresDatasourceSchema.parse(pgMinimal)).toEqual({
      driver: 'postgres',
      name: 'metadata_db',
      connection: { host: 'db.internal.example.com', port: 5432, database: 'metasource', user: 'metasource' },
      pool: POOL_DEFAULTS,
      tls: TLS_DEFAULTS,
      statementTimeoutMs: 30_000,
    });
  });

  it('parses the minimal url form to the complete value with every default', () => {
    expect(PostgresDatasourceSchema.parse({ ...pgMinimal, connection: { url: { env: 'DATABASE_URL' } } })).toEqual({
      driver: 'postgres',
      name: 'metadata_db',
      connection: { url: { env: 'DATABASE_URL' } },
      pool: POOL_DEFAULTS,
      tls: TLS_DEFAULTS,
      statementTimeoutMs: 30_000,
    });
  });

  it('fills the defaults of a partly given pool and TLS group', () => {
    const parsed = PostgresDatasourceSchema.parse({ ...pgMinimal, pool: { max: 3 }, tls: { mode: 'disable' } });
    expect(parsed.pool).toEqual({ ...POOL_DEFAULTS, max: 3 });
    expect(parsed.tls).toEqual({ mode: 'disable' });
  });

  it('parses a datasource with every field set and round-trips it', () => {
    const full: PostgresDatasourceInput = {
      driver: 'postgres',
      name: 'metadata_db',
      connection: {
        host: '10.0.0.12',
        port: 6432,
        database: 'crm-prod',
        user: 'postgres.abcdefgh',
        password: { file: '/run/secrets/pg_password' },
      },
      pool: { min: 1, max: 50, idleTimeoutMs: 60_000, acquireTimeoutMs: 2_000 },
      tls: { mode: 'verify_ca', ca: { file: '/etc/ssl/certs/db-ca.pem' }, clientCert: { env: 'PG_CERT' }, clientKey: { env: 'PG_KEY' } },
      statementTimeoutMs: 0,
    };
    const parsed = PostgresDatasourceSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(PostgresDatasourceSchema.parse(parsed)).toEqual(parsed);
  });

  it('rejects an inline password with the inline-secret message at connection.password', () => {
    const result = PostgresDatasourceSchema.safeParse({ ...pgMinimal, connection: { ...pgHost, password: 'hunter2' } });
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['connection', 'password'],
      code: 'invalid_union',
      message: INLINE_SECRET_MESSAGE,
    });
  });

  it('never echoes the inline password in the error', () => {
    const result = PostgresDatasourceSchema.safeParse({ ...pgMinimal, connection: { ...pgHost, password: 'hunter2' } });
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });

  it('rejects an inline URL with the inline-secret message at connection.url', () => {
    const result = PostgresDatasourceSchema.safeParse({ ...pgMinimal, connection: { url: 'postgres://u:hunter2@db/x' } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['connection', 'url'], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }),
    ]);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });

  it('rejects a connection string given as the whole connection, pointing to the url form', () => {
    const result = PostgresDatasourceSchema.safeParse({ ...pgMinimal, connection: 'postgres://u:hunter2@db/x' });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['connection'], code: 'invalid_type', message: expect.stringContaining('{ "url": { "env"') }),
    ]);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });

  it('reports the issues of the host form at their own paths, not as one invalid_union', () => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection: { ...pgHost, port: 0, user: '' } })).toEqual([
      { path: ['connection', 'port'], code: 'too_small' },
      { path: ['connection', 'user'], code: 'invalid_format' },
    ]);
  });

  it('does not mix the host and url forms', () => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection: { url: { env: 'DATABASE_URL' }, host: 'db' } })).toEqual([
      { path: ['connection'], code: 'unrecognized_keys' },
    ]);
    // With a complete host form beside the url, both forms fail only on extra keys, so Zod adds its union issue.
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection: { url: { env: 'DATABASE_URL' }, ...pgHost } })).toEqual([
      { path: ['connection'], code: 'unrecognized_keys' },
      { path: ['connection'], code: 'invalid_union' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['port 0', { ...pgHost, port: 0 }, ['connection', 'port'], 'too_small'],
    ['port -1', { ...pgHost, port: -1 }, ['connection', 'port'], 'too_small'],
    ['port 65536', { ...pgHost, port: 65_536 }, ['connection', 'port'], 'too_big'],
    ['port 5432.5', { ...pgHost, port: 5432.5 }, ['connection', 'port'], 'invalid_type'],
    ['port "5432"', { ...pgHost, port: '5432' }, ['connection', 'port'], 'invalid_type'],
    ['port 1e21', { ...pgHost, port: 1e21 }, ['connection', 'port'], 'too_big'],
    ['port 2**53', { ...pgHost, port: 2 ** 53 }, ['connection', 'port'], 'too_big'],
    ['empty host', { ...pgHost, host: '' }, ['connection', 'host'], 'invalid_format'],
    ['host with SQL', { ...pgHost, host: 'meta; DROP TABLE x' }, ['connection', 'host'], 'invalid_format'],
    ['empty database', { ...pgHost, database: '' }, ['connection', 'database'], 'invalid_format'],
    ['64-char database', { ...pgHost, database: 'a'.repeat(64) }, ['connection', 'database'], 'invalid_format'],
    ['database with SQL', { ...pgHost, database: 'meta; DROP TABLE x' }, ['connection', 'database'], 'invalid_format'],
    ['empty user', { ...pgHost, user: '' }, ['connection', 'user'], 'invalid_format'],
    ['64-char user', { ...pgHost, user: 'a'.repeat(64) }, ['connection', 'user'], 'invalid_format'],
    ['10_000-char user', { ...pgHost, user: 'a'.repeat(10_000) }, ['connection', 'user'], 'invalid_format'],
    ['user with a quote', { ...pgHost, user: "a' OR '1'='1" }, ['connection', 'user'], 'invalid_format'],
    ['user starting with a hyphen', { ...pgHost, user: '-U' }, ['connection', 'user'], 'invalid_format'],
    ['password file not absolute', { ...pgHost, password: { file: 'pw.txt' } }, ['connection', 'password', 'file'], 'invalid_format'],
    ['password env not upper case', { ...pgHost, password: { env: 'pg_password' } }, ['connection', 'password', 'env'], 'invalid_format'],
    ['password with both env and file', { ...pgHost, password: { env: 'A', file: '/a' } }, ['connection', 'password'], 'invalid_union'],
    ['an extra key (sslmode)', { ...pgHost, sslmode: 'disable' }, ['connection'], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": 1, "host": "db", "database": "d", "user": "u"}'), ['connection'], 'unrecognized_keys'],
    ['a constructor key', { ...pgHost, constructor: 1 }, ['connection'], 'unrecognized_keys'],
    ['url file not absolute', { url: { file: 'url.txt' } }, ['connection', 'url', 'file'], 'invalid_format'],
    ['an array', [pgHost], ['connection'], 'invalid_type'],
    ['null', null, ['connection'], 'invalid_type'],
  ])('rejects a connection with %s', (_label, connection, path, code) => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection })).toEqual([{ path, code }]);
  });

  it('reports a typo of host as the missing host and the unknown key', () => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection: { hots: 'db', database: 'd', user: 'u' } })).toEqual([
      { path: ['connection', 'host'], code: 'invalid_type' },
      { path: ['connection'], code: 'unrecognized_keys' },
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['name with SQL', { name: 'meta; DROP TABLE x' }, ['name'], 'invalid_format'],
    ['name with a hyphen', { name: 'a-b' }, ['name'], 'invalid_format'],
    ['name starting with a digit', { name: '1abc' }, ['name'], 'invalid_format'],
    ['64-char name', { name: 'a'.repeat(64) }, ['name'], 'too_big'],
    ['empty name', { name: '' }, ['name'], 'invalid_format'],
    ['statementTimeoutMs -1', { statementTimeoutMs: -1 }, ['statementTimeoutMs'], 'too_small'],
    ['statementTimeoutMs above an hour', { statementTimeoutMs: 3_600_001 }, ['statementTimeoutMs'], 'too_big'],
    ['statementTimeoutMs 1.5', { statementTimeoutMs: 1.5 }, ['statementTimeoutMs'], 'invalid_type'],
    ['statementTimeoutMs "10"', { statementTimeoutMs: '10' }, ['statementTimeoutMs'], 'invalid_type'],
    ['statementTimeoutMs 1e21', { statementTimeoutMs: 1e21 }, ['statementTimeoutMs'], 'too_big'],
    ['pool max 0', { pool: { max: 0 } }, ['pool', 'max'], 'too_small'],
    ['pool min above max', { pool: { min: 20 } }, ['pool', 'min'], 'custom'],
    ['pool as a number', { pool: 10 }, ['pool'], 'invalid_type'],
    ['tls disabled with a ca', { tls: { mode: 'disable', ca: { file: '/ca.pem' } } }, ['tls', 'mode'], 'custom'],
    ['tls as a boolean', { tls: true }, ['tls'], 'invalid_type'],
    ['a typo (statementTimeout)', { statementTimeout: 10 }, [], 'unrecognized_keys'],
    ['a SQLite option (busyTimeoutMs)', { busyTimeoutMs: 10 }, [], 'unrecognized_keys'],
    ['a top-level url', { url: { env: 'DATABASE_URL' } }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": {"driver": "sqlite"}}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    // Spreading copies an own __proto__ key (from JSON.parse) as data; it does not set the prototype.
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, ...(patch as object) })).toMatchObject([{ path, code }]);
  });

  it('names the rule of a pool or TLS issue', () => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, pool: { min: 20 } })).toEqual([
      { path: ['pool', 'min'], code: 'custom', rule: 'pool_min_not_above_max' },
    ]);
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, tls: { clientCert: { env: 'C' } } })).toEqual([
      { path: ['tls', 'clientKey'], code: 'custom', rule: 'tls_client_cert_requires_key' },
    ]);
  });

  it.each<[string, string]>([
    // A missing literal is reported as a wrong value: undefined is not "postgres".
    ['driver', 'invalid_value'],
    ['name', 'invalid_type'],
    ['connection', 'invalid_type'],
  ])('reports a missing %s as %s at its path', (field, code) => {
    const input: Record<string, unknown> = { ...pgMinimal };
    delete input[field];
    expect(issuesOf(PostgresDatasourceSchema, input)).toEqual([{ path: [field], code }]);
  });

  it.each(['host', 'database', 'user'])('reports a missing connection.%s at its path', (field) => {
    const connection: Record<string, unknown> = { ...pgHost };
    delete connection[field];
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, connection })).toEqual([
      { path: ['connection', field], code: 'invalid_type' },
    ]);
  });

  it('rejects another driver literal', () => {
    expect(issuesOf(PostgresDatasourceSchema, { ...pgMinimal, driver: 'mysql' })).toEqual([{ path: ['driver'], code: 'invalid_value' }]);
  });

  it('types: defaulted groups are optional in input and complete in output', () => {
    expectTypeOf<PostgresDatasourceInput['pool']>().toEqualTypeOf<DatasourcePoolInput | undefined>();
    expectTypeOf<PostgresDatasource['pool']>().toEqualTypeOf<DatasourcePool>();
    expectTypeOf<PostgresDatasourceInput['tls']>().toEqualTypeOf<DatasourceTlsInput | undefined>();
    expectTypeOf<PostgresDatasource['tls']>().toEqualTypeOf<DatasourceTls>();
    expectTypeOf<PostgresDatasourceInput['statementTimeoutMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PostgresDatasource['statementTimeoutMs']>().toEqualTypeOf<number>();
    expectTypeOf<PostgresDatasource['driver']>().toEqualTypeOf<'postgres'>();
    expectTypeOf<PostgresDatasource['connection']>().toEqualTypeOf<PostgresConnection>();
    expectTypeOf<PostgresConnection>().toEqualTypeOf<
      { host: string; port: number; database: string; user: string; password?: SecretRef | undefined } | { url: SecretRef }
    >();
  });
});

describe('PostgresConnectionSchema', () => {
  it('fills the default port', () => {
    expect(PostgresConnectionSchema.parse(pgHost)).toEqual({ ...pgHost, port: DEFAULT_PORTS.postgres });
  });

  it('rejects non-objects as invalid_type at its own path', () => {
    for (const input of [undefined, null, 42, [], true]) {
      expect(issuesOf(PostgresConnectionSchema, input)).toEqual([{ path: [], code: 'invalid_type' }]);
    }
  });
});

describe('MysqlDatasourceSchema', () => {
  it('parses the minimal host form to the complete value with every default', () => {
    expect(MysqlDatasourceSchema.parse(mysqlMinimal)).toEqual({
      driver: 'mysql',
      name: 'metadata_db',
      connection: { host: 'db.internal.example.com', port: 3306, database: 'metasource', user: 'metasource' },
      pool: POOL_DEFAULTS,
      tls: TLS_DEFAULTS,
      statementTimeoutMs: 30_000,
    });
  });

  it('parses a datasource with every field set and round-trips it', () => {
    const full: MysqlDatasourceInput = {
      driver: 'mysql',
      name: 'metadata_db',
      connection: { url: { file: '/run/secrets/mysql_url' } },
      pool: { min: 0, max: 1, idleTimeoutMs: 1, acquireTimeoutMs: 1 },
      tls: { mode: 'require' },
      statementTimeoutMs: 3_600_000,
    };
    const parsed = MysqlDatasourceSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MysqlDatasourceSchema.parse(parsed)).toEqual(parsed);
  });

  it("takes a user of up to 32 characters, MySQL's limit", () => {
    expect(MysqlDatasourceSchema.safeParse({ ...mysqlMinimal, connection: { ...pgHost, user: 'a'.repeat(32) } }).success).toBe(true);
    expect(issuesOf(MysqlDatasourceSchema, { ...mysqlMinimal, connection: { ...pgHost, user: 'a'.repeat(33) } })).toEqual([
      { path: ['connection', 'user'], code: 'invalid_format' },
    ]);
  });

  it('rejects an inline password with the inline-secret message at connection.password', () => {
    const result = MysqlDatasourceSchema.safeParse({ ...mysqlMinimal, connection: { ...pgHost, password: 'hunter2' } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['connection', 'password'], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }),
    ]);
  });

  it.each<[string, unknown, Path, string]>([
    ['port 0', { connection: { ...pgHost, port: 0 } }, ['connection', 'port'], 'too_small'],
    ['port 65536', { connection: { ...pgHost, port: 65_536 } }, ['connection', 'port'], 'too_big'],
    ['an inline url', { connection: { url: 'mysql://root@db' } }, ['connection', 'url'], 'invalid_union'],
    ['a charset option', { charset: 'utf8mb4' }, [], 'unrecognized_keys'],
    ['a typo (hots)', { connection: { hots: 'db', database: 'd', user: 'u' } }, ['connection', 'host'], 'invalid_type'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MysqlDatasourceSchema, { ...mysqlMinimal, ...(patch as object) })[0]).toEqual({ path, code });
  });

  it('types', () => {
    expectTypeOf<MysqlDatasourceInput['pool']>().toEqualTypeOf<DatasourcePoolInput | undefined>();
    expectTypeOf<z.output<typeof MysqlConnectionSchema>>().toEqualTypeOf<PostgresConnection>();
  });
});

describe('PostgreSQL and MySQL, built from one factory', () => {
  it('have the same fields, and differ only in the driver, default port and user-name limit', () => {
    expect(Object.keys(MysqlDatasourceSchema.shape)).toEqual(Object.keys(PostgresDatasourceSchema.shape));
    const connection = { host: 'db', database: 'metasource', user: 'u' };
    expect(PostgresConnectionSchema.parse(connection)).toEqual({ ...connection, port: 5432 });
    expect(MysqlConnectionSchema.parse(connection)).toEqual({ ...connection, port: 3306 });
    expect(PostgresConnectionSchema.safeParse({ ...connection, user: 'u'.repeat(63) }).success).toBe(true);
    expect(MysqlConnectionSchema.safeParse({ ...connection, user: 'u'.repeat(32) }).success).toBe(true);
    expect(issuesOf(MysqlConnectionSchema, { ...connection, user: 'u'.repeat(33) })).toEqual([{ path: ['user'], code: 'invalid_format' }]);
  });

  it('describe each connection with its own default port and URL scheme (the descriptions are written out whole)', () => {
    expect(PostgresConnectionSchema.meta()?.description).toContain('port (default 5432)');
    expect(PostgresConnectionSchema.meta()?.description).toContain('postgres:// URL');
    expect(MysqlConnectionSchema.meta()?.description).toContain('port (default 3306)');
    expect(MysqlConnectionSchema.meta()?.description).toContain('mysql:// URL');
  });

  it('name the setting behind statementTimeoutMs for each server', () => {
    const description = (schema: typeof PostgresDatasourceSchema | typeof MysqlDatasourceSchema) =>
      schema.shape.statementTimeoutMs.meta()?.description;
    expect(description(PostgresDatasourceSchema)).toContain('(PostgreSQL statement_timeout)');
    expect(description(MysqlDatasourceSchema)).toContain(
      '(MySQL max_execution_time, which MySQL applies to read-only SELECT statements only)',
    );
  });
});

describe('SqliteDatasourceSchema', () => {
  it('parses the minimal datasource to the complete value with every default', () => {
    expect(SqliteDatasourceSchema.parse(sqliteMinimal)).toEqual({
      driver: 'sqlite',
      name: 'metadata_db',
      connection: { filename: '/var/lib/metasource/metadata.db' },
      busyTimeoutMs: 5_000,
      journalMode: 'wal',
    });
  });

  it('parses a datasource with every field set and round-trips it', () => {
    const full: SqliteDatasourceInput = {
      driver: 'sqlite',
      name: 'local_metadata',
      connection: { filename: ':memory:' },
      busyTimeoutMs: 0,
      journalMode: 'delete',
    };
    const parsed = SqliteDatasourceSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(SqliteDatasourceSchema.parse(parsed)).toEqual(parsed);
  });

  it.each(['metadata.db', './data/metadata.db', 'C:\\data\\metadata.db', 'données/métadonnées.db', '😀'.repeat(4096)])(
    'accepts the filename %s',
    (filename) => {
      expect(SqliteConnectionSchema.parse({ filename })).toEqual({ filename });
    },
  );

  it.each<[string, unknown, Path, string]>([
    ['an empty filename', { connection: { filename: '' } }, ['connection', 'filename'], 'invalid_format'],
    ['a filename of 4097 code points', { connection: { filename: '😀'.repeat(4097) } }, ['connection', 'filename'], 'invalid_format'],
    ['a 10_000-character filename', { connection: { filename: 'a'.repeat(10_000) } }, ['connection', 'filename'], 'invalid_format'],
    ['a NUL in the filename', { connection: { filename: 'meta\u0000.db' } }, ['connection', 'filename'], 'invalid_format'],
    ['a missing filename', { connection: {} }, ['connection', 'filename'], 'invalid_type'],
    ['a memory flag', { connection: { memory: true } }, ['connection', 'filename'], 'invalid_type'],
    ['a connection string', { connection: 'file:metadata.db' }, ['connection'], 'invalid_type'],
    ['busyTimeoutMs -1', { busyTimeoutMs: -1 }, ['busyTimeoutMs'], 'too_small'],
    ['busyTimeoutMs 600_001', { busyTimeoutMs: 600_001 }, ['busyTimeoutMs'], 'too_big'],
    ['busyTimeoutMs 2.5', { busyTimeoutMs: 2.5 }, ['busyTimeoutMs'], 'invalid_type'],
    ['busyTimeoutMs "5000"', { busyTimeoutMs: '5000' }, ['busyTimeoutMs'], 'invalid_type'],
    ['busyTimeoutMs 1e21', { busyTimeoutMs: 1e21 }, ['busyTimeoutMs'], 'too_big'],
    ['journalMode memory', { journalMode: 'memory' }, ['journalMode'], 'invalid_value'],
    ['journalMode WAL', { journalMode: 'WAL' }, ['journalMode'], 'invalid_value'],
    ['a pool', { pool: {} }, [], 'unrecognized_keys'],
    ['a tls group', { tls: { mode: 'disable' } }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
    ['a constructor key in the connection', { connection: { filename: 'a.db', constructor: 1 } }, ['connection'], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(SqliteDatasourceSchema, { ...sqliteMinimal, ...(patch as object) })[0]).toEqual({ path, code });
  });

  it('reports a memory flag as both the missing filename and the unknown key', () => {
    expect(issuesOf(SqliteDatasourceSchema, { ...sqliteMinimal, connection: { memory: true } })).toEqual([
      { path: ['connection', 'filename'], code: 'invalid_type' },
      { path: ['connection'], code: 'unrecognized_keys' },
    ]);
  });

  it('types', () => {
    expectTypeOf<SqliteDatasourceInput['journalMode']>().toEqualTypeOf<'wal' | 'delete' | undefined>();
    expectTypeOf<SqliteDatasource['journalMode']>().toEqualTypeOf<'wal' | 'delete'>();
    expectTypeOf<SqliteDatasource>().not.toHaveProperty('pool');
    expectTypeOf<SqliteDatasource>().not.toHaveProperty('tls');
  });
});

describe('MongodbDatasourceSchema', () => {
  it('parses the minimal datasource to the complete value with every default', () => {
    expect(MongodbDatasourceSchema.parse(mongoMinimal)).toEqual({
      driver: 'mongodb',
      name: 'metadata_db',
      connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' },
      pool: POOL_DEFAULTS,
      tls: TLS_DEFAULTS,
    });
  });

  it('parses a datasource with every field set and round-trips it', () => {
    const full = {
      driver: 'mongodb',
      name: 'metadata_db',
      connection: { url: { file: '/run/secrets/mongodb_url' }, database: 'crm-prod' },
      pool: { min: 5, max: 100, idleTimeoutMs: 120_000, acquireTimeoutMs: 15_000 },
      tls: { mode: 'verify_full', ca: { file: '/etc/ssl/certs/atlas-ca.pem' } },
    };
    const parsed = MongodbDatasourceSchema.parse(full);
    expect(parsed).toEqual(full);
    expect(MongodbDatasourceSchema.parse(parsed)).toEqual(parsed);
  });

  it('rejects an inline connection string with the inline-secret message at connection.url', () => {
    const result = MongodbDatasourceSchema.safeParse({
      ...mongoMinimal,
      connection: { url: 'mongodb+srv://u:hunter2@cluster0/x', database: 'x' },
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['connection', 'url'], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }),
    ]);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });

  it.each<[string, unknown, Path, string]>([
    ['a missing url', { connection: { database: 'metasource' } }, ['connection', 'url'], 'invalid_union'],
    ['a missing database', { connection: { url: { env: 'MONGODB_URL' } } }, ['connection', 'database'], 'invalid_type'],
    [
      'a database with a dot',
      { connection: { url: { env: 'MONGODB_URL' }, database: 'meta.source' } },
      ['connection', 'database'],
      'invalid_format',
    ],
    [
      'a 64-char database',
      { connection: { url: { env: 'MONGODB_URL' }, database: 'a'.repeat(64) } },
      ['connection', 'database'],
      'invalid_format',
    ],
    ['a host form', { connection: pgHost }, ['connection', 'url'], 'invalid_union'],
    ['a statement timeout', { statementTimeoutMs: 1_000 }, [], 'unrecognized_keys'],
    ['pool min above max', { pool: { min: 11 } }, ['pool', 'min'], 'custom'],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
    ['a constructor key', { constructor: 1 }, [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(MongodbDatasourceSchema, { ...mongoMinimal, ...(patch as object) })[0]).toMatchObject({ path, code });
  });

  it('types', () => {
    expectTypeOf<MongodbDatasource['connection']>().toEqualTypeOf<z.output<typeof MongodbConnectionSchema>>();
    expectTypeOf<MongodbDatasource['connection']['url']>().toEqualTypeOf<SecretRef>();
    expectTypeOf<MongodbDatasource['pool']>().toEqualTypeOf<DatasourcePool>();
  });
});

describe('DatasourceSchema', () => {
  it.each<[string, unknown, z.ZodType]>([
    ['postgres', pgMinimal, PostgresDatasourceSchema],
    ['mysql', mysqlMinimal, MysqlDatasourceSchema],
    ['sqlite', sqliteMinimal, SqliteDatasourceSchema],
    ['mongodb', mongoMinimal, MongodbDatasourceSchema],
  ])('parses a minimal %s datasource exactly as its own schema does', (_driver, input, own) => {
    expect(DatasourceSchema.parse(input)).toEqual(own.parse(input));
  });

  it('selects the shape by driver: a pool on a SQLite datasource is an unknown key', () => {
    expect(issuesOf(DatasourceSchema, { ...sqliteMinimal, pool: {} })).toEqual([{ path: [], code: 'unrecognized_keys' }]);
  });

  it('reports an inline password through the union at connection.password', () => {
    const result = DatasourceSchema.safeParse({ ...pgMinimal, connection: { ...pgHost, password: 'hunter2' } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['connection', 'password'], code: 'invalid_union', message: INLINE_SECRET_MESSAGE }),
    ]);
  });

  it.each<[string, unknown]>([
    ['an unknown driver', 'oracle'],
    ['a capitalised driver', 'Postgres'],
    ['postgresql', 'postgresql'],
    ['a missing driver', undefined],
    ['a numeric driver', 1],
  ])('rejects %s at driver', (_label, driver) => {
    expect(issuesOf(DatasourceSchema, { ...pgMinimal, driver })).toEqual([{ path: ['driver'], code: 'invalid_union' }]);
  });

  it('checks the connection against the named driver, not any driver', () => {
    // A SQLite connection under the postgres driver is a postgres host form missing its fields.
    expect(issuesOf(DatasourceSchema, { ...pgMinimal, connection: { filename: 'a.db' } })).toEqual([
      { path: ['connection', 'host'], code: 'invalid_type' },
      { path: ['connection', 'database'], code: 'invalid_type' },
      { path: ['connection', 'user'], code: 'invalid_type' },
      { path: ['connection'], code: 'unrecognized_keys' },
    ]);
  });

  it('rejects non-objects', () => {
    for (const input of [null, 'postgres://db', 42, []]) {
      expect(issuesOf(DatasourceSchema, input)).toEqual([{ path: [], code: 'invalid_type' }]);
    }
  });

  it('types: a union narrowed by driver; pool optional in input, required in output', () => {
    expectTypeOf<Datasource['driver']>().toEqualTypeOf<DatasourceDriver>();
    expectTypeOf<DatasourceInput['driver']>().toEqualTypeOf<DatasourceDriver>();
    expectTypeOf<Extract<DatasourceInput, { driver: 'postgres' }>['pool']>().toEqualTypeOf<DatasourcePoolInput | undefined>();
    expectTypeOf<Extract<Datasource, { driver: 'postgres' }>['pool']>().toEqualTypeOf<DatasourcePool>();
    expectTypeOf<Extract<Datasource, { driver: 'mongodb' }>['pool']>().toEqualTypeOf<DatasourcePool>();
    expectTypeOf<Extract<Datasource, { driver: 'sqlite' }>>().toEqualTypeOf<SqliteDatasource>();
    expectTypeOf<Extract<Datasource, { driver: 'postgres' }>>().toEqualTypeOf<PostgresDatasource>();
  });
});

describe('DatasourceCapabilitiesSchema and the capability constants', () => {
  const constants: [DatasourceDriver, DatasourceCapabilities][] = [
    ['postgres', POSTGRES_CAPABILITIES],
    ['mysql', MYSQL_CAPABILITIES],
    ['sqlite', SQLITE_CAPABILITIES],
    ['mongodb', MONGODB_CAPABILITIES],
  ];

  it.each(constants)('the %s profile parses unchanged', (driver, capabilities) => {
    expect(DatasourceCapabilitiesSchema.parse(capabilities)).toEqual(capabilities);
    expect(capabilities.driver).toBe(driver);
    expect(DATASOURCE_CAPABILITIES[driver]).toBe(capabilities);
  });

  it('has one profile per driver, and every constant is frozen', () => {
    expect(Object.keys(DATASOURCE_CAPABILITIES)).toEqual(DatasourceDriverSchema.options);
    expect(Object.isFrozen(DATASOURCE_CAPABILITIES)).toBe(true);
    for (const [, capabilities] of constants) expect(Object.isFrozen(capabilities)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PORTS)).toBe(true);
  });

  it('records the facts each fallback depends on', () => {
    expect(POSTGRES_CAPABILITIES).toEqual({
      driver: 'postgres',
      transactionalDdl: true,
      jsonColumns: true,
      partialIndexes: true,
      advisoryLocks: true,
      changeStreams: false,
      tableSchemas: true,
      nulCharacters: false,
      maxIdentifierLength: 63,
    });
    expect(MYSQL_CAPABILITIES).toEqual({
      driver: 'mysql',
      transactionalDdl: false,
      jsonColumns: true,
      partialIndexes: false,
      advisoryLocks: true,
      changeStreams: false,
      tableSchemas: true,
      nulCharacters: true,
      maxIdentifierLength: 64,
    });
    expect(SQLITE_CAPABILITIES).toEqual({
      driver: 'sqlite',
      transactionalDdl: true,
      jsonColumns: true,
      partialIndexes: true,
      advisoryLocks: false,
      changeStreams: false,
      tableSchemas: false,
      nulCharacters: true,
      maxIdentifierLength: 1024,
    });
    expect(MONGODB_CAPABILITIES).toEqual({
      driver: 'mongodb',
      transactionalDdl: false,
      jsonColumns: true,
      partialIndexes: true,
      advisoryLocks: false,
      changeStreams: true,
      tableSchemas: false,
      nulCharacters: false,
      maxIdentifierLength: 255,
    });
  });

  it('gives table schemas to the server drivers only (MetasourceConfig rule table_schema_needs_schema_support)', () => {
    const withSchemas = DatasourceDriverSchema.options.filter((driver) => DATASOURCE_CAPABILITIES[driver].tableSchemas);
    expect(withSchemas).toEqual(['postgres', 'mysql']);
  });

  it('says which drivers cannot store U+0000 in text (refused with nul_character, R18)', () => {
    const withoutNul = DatasourceDriverSchema.options.filter((driver) => !DATASOURCE_CAPABILITIES[driver].nulCharacters);
    expect(withoutNul).toEqual(['postgres', 'mongodb']);
  });

  it('keeps the default ports', () => {
    expect(DEFAULT_PORTS).toEqual({ postgres: 5432, mysql: 3306 });
  });

  it.each<[string, unknown, Path, string]>([
    ['maxIdentifierLength 0', { maxIdentifierLength: 0 }, ['maxIdentifierLength'], 'too_small'],
    ['maxIdentifierLength 1025', { maxIdentifierLength: 1025 }, ['maxIdentifierLength'], 'too_big'],
    ['maxIdentifierLength 63.5', { maxIdentifierLength: 63.5 }, ['maxIdentifierLength'], 'invalid_type'],
    ['maxIdentifierLength "63"', { maxIdentifierLength: '63' }, ['maxIdentifierLength'], 'invalid_type'],
    ['a string boolean', { jsonColumns: 'true' }, ['jsonColumns'], 'invalid_type'],
    ['an unknown driver', { driver: 'oracle' }, ['driver'], 'invalid_value'],
    ['an unknown capability', { fullTextSearch: true }, [], 'unrecognized_keys'],
    ['a __proto__ key', JSON.parse('{"__proto__": 1}'), [], 'unrecognized_keys'],
  ])('rejects %s', (_label, patch, path, code) => {
    expect(issuesOf(DatasourceCapabilitiesSchema, { ...POSTGRES_CAPABILITIES, ...(patch as object) })).toEqual([{ path, code }]);
  });

  it.each<[string, string]>([
    ['driver', 'invalid_value'],
    ['transactionalDdl', 'invalid_type'],
    ['jsonColumns', 'invalid_type'],
    ['partialIndexes', 'invalid_type'],
    ['advisoryLocks', 'invalid_type'],
    ['changeStreams', 'invalid_type'],
    ['tableSchemas', 'invalid_type'],
    ['nulCharacters', 'invalid_type'],
    ['maxIdentifierLength', 'invalid_type'],
  ])('requires %s (%s when missing)', (field, code) => {
    const input: Record<string, unknown> = { ...POSTGRES_CAPABILITIES };
    delete input[field];
    expect(issuesOf(DatasourceCapabilitiesSchema, input)).toEqual([{ path: [field], code }]);
  });

  it('types', () => {
    expectTypeOf(DATASOURCE_CAPABILITIES).toEqualTypeOf<Readonly<Record<DatasourceDriver, DatasourceCapabilities>>>();
    expectTypeOf<DatasourceCapabilities['maxIdentifierLength']>().toEqualTypeOf<number>();
    expectTypeOf<DatasourceCapabilities['driver']>().toEqualTypeOf<DatasourceDriver>();
  });
});
