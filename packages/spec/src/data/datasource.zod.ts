import { z } from 'zod';
import { MachineNameSchema } from '../shared/identifier.zod';
import { define, withRules } from '../shared/registry';
import { SecretRefSchema } from '../shared/secret-ref.zod';
import { boundedText } from '../shared/text';

/** Database drivers a datasource can name. */
export const DatasourceDriverSchema = /* @__PURE__ */ define('DatasourceDriver', () =>
  z.enum(['postgres', 'mysql', 'sqlite', 'mongodb']).meta({
    description:
      'Database driver of a datasource: postgres (PostgreSQL), mysql (MySQL), sqlite (SQLite, a local file or memory) or mongodb (MongoDB). What each can do is in DATASOURCE_CAPABILITIES.',
    examples: ['postgres'],
  }),
);
export type DatasourceDriver = z.output<typeof DatasourceDriverSchema>;
export type DatasourceDriverInput = z.input<typeof DatasourceDriverSchema>;

/**
 * Default ports of the drivers whose connection names a port. MongoDB is
 * absent on purpose: it is reached only through a URL, which carries its own
 * port (or an SRV record that does).
 */
export const DEFAULT_PORTS = /* @__PURE__ */ Object.freeze({ postgres: 5432, mysql: 3306 } as const);

/** Connection pool limits of a networked datasource. */
export const DatasourcePoolSchema = /* @__PURE__ */ define('DatasourcePool', () =>
  withRules(
    z.strictObject({
      min: z
        .int()
        .min(0)
        .max(1000)
        .default(0)
        .meta({ description: 'Connections kept open even when idle. Default 0.', examples: [2] }),
      max: z
        .int()
        .min(1)
        .max(1000)
        .default(10)
        .meta({ description: 'Most connections open at once; further callers wait for a free one. Default 10.', examples: [20] }),
      idleTimeoutMs: z
        .int()
        .min(0)
        .max(86_400_000)
        .default(30_000)
        .meta({
          description:
            'How long a connection above min may sit idle before the pool closes it, in milliseconds; 0 never closes idle connections. Default 30000 (30 seconds).',
          examples: [60_000],
        }),
      acquireTimeoutMs: z
        .int()
        .min(1)
        .max(600_000)
        .default(10_000)
        .meta({
          description:
            'How long a caller waits for a free connection before the request fails, in milliseconds. Default 10000 (10 seconds).',
          examples: [5_000],
        }),
    }),
    [
      {
        // Comparing two numbers has no JSON Schema encoding, so this rule is
        // listed under x-metasource-unchecked-rules instead.
        name: 'pool_min_not_above_max',
        message: 'min must not be above max',
        path: ['min'],
        holds: (pool) => pool.min <= pool.max,
      },
    ],
    {
      description:
        'Connection pool limits: min idle connections (default 0), max open connections (default 10), idle timeout (default 30 s) and how long a caller waits for a connection (default 10 s). min may not exceed max.',
      examples: [{ min: 2, max: 20 }],
    },
  ),
);
export type DatasourcePool = z.output<typeof DatasourcePoolSchema>;
export type DatasourcePoolInput = z.input<typeof DatasourcePoolSchema>;

/** TLS settings of a networked datasource. */
export const DatasourceTlsSchema = /* @__PURE__ */ define('DatasourceTls', () =>
  withRules(
    z.strictObject({
      // verify_full by default: a default that silently skips verification is
      // the setting nobody changes, and a man in the middle then sees every
      // credential. A local server without TLS says `mode: "disable"` aloud.
      mode: z
        .enum(['disable', 'require', 'verify_ca', 'verify_full'])
        .default('verify_full')
        .meta({
          description:
            'disable: no TLS; require: TLS without checking the server certificate; verify_ca: TLS, the certificate must chain to a trusted authority; verify_full: verify_ca and the host name must match the certificate. Default verify_full. libpq spells the last two verify-ca and verify-full; MySQL calls them VERIFY_CA and VERIFY_IDENTITY. Takes precedence over any TLS parameter in a connection URL.',
          examples: ['verify_full'],
        }),
      // The CA bundle and client certificate are not secret, but they reach a
      // container the same two ways a secret does (a mounted file or an
      // environment variable holding PEM text). Taking a SecretRef for all
      // three lets a runtime resolve them with one code path at connect time,
      // so a rotated certificate needs no restart, and keeps PEM blocks out of
      // metadata records and exports.
      ca: SecretRefSchema.optional().meta({
        description:
          'PEM bundle of the certificate authorities trusted to sign the server certificate, as a reference to a file or environment variable. When absent, the system trust store is used.',
        examples: [{ file: '/etc/ssl/certs/db-ca.pem' }],
      }),
      clientCert: SecretRefSchema.optional().meta({
        description:
          'PEM client certificate for certificate authentication, as a reference to a file or environment variable. Given together with clientKey.',
        examples: [{ file: '/run/secrets/db_client.crt' }],
      }),
      clientKey: SecretRefSchema.optional().meta({
        description: 'PEM private key of the client certificate, as a secret reference. Given together with clientCert.',
        examples: [{ file: '/run/secrets/db_client.key' }],
      }),
    }),
    [
      {
        name: 'tls_client_cert_requires_key',
        message: 'clientKey is required when clientCert is given',
        path: ['clientKey'],
        holds: (tls) => tls.clientCert === undefined || tls.clientKey !== undefined,
        jsonSchema: { dependentRequired: { clientCert: ['clientKey'] } },
      },
      {
        name: 'tls_client_key_requires_cert',
        message: 'clientCert is required when clientKey is given',
        path: ['clientCert'],
        holds: (tls) => tls.clientKey === undefined || tls.clientCert !== undefined,
        jsonSchema: { dependentRequired: { clientKey: ['clientCert'] } },
      },
      {
        name: 'tls_disabled_takes_no_certificates',
        message: 'mode "disable" takes no ca, clientCert or clientKey',
        path: ['mode'],
        holds: (tls) => tls.mode !== 'disable' || (tls.ca === undefined && tls.clientCert === undefined && tls.clientKey === undefined),
        // An absent mode means the default, verify_full, so only an explicit
        // "disable" triggers the rule.
        jsonSchema: {
          if: { properties: { mode: { const: 'disable' } }, required: ['mode'] },
          then: { not: { anyOf: [{ required: ['ca'] }, { required: ['clientCert'] }, { required: ['clientKey'] }] } },
        },
      },
    ],
    {
      description:
        'TLS for the connection to the database server: the verification mode (default verify_full) and optional CA bundle and client certificate, each given as a reference. clientCert and clientKey come together; mode "disable" takes none of them.',
      examples: [{ mode: 'verify_full', ca: { file: '/etc/ssl/certs/db-ca.pem' } }, { mode: 'disable' }],
    },
  ),
);
export type DatasourceTls = z.output<typeof DatasourceTlsSchema>;
export type DatasourceTlsInput = z.input<typeof DatasourceTlsSchema>;

/**
 * A DNS host name (labels of letters, digits, `_` and `-`, not starting or
 * ending with `-`) or an IPv6 literal without brackets; IPv4 literals are
 * host names by this pattern. `_` is allowed because container platforms
 * resolve service names such as `metadata_db`. Nothing that could end a
 * connection-string value (space, `=`, `'`, `/`, `?`) gets through.
 */
const HOST_LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
const HOST = new RegExp(
  `^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*` +
    '|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}' +
    '|(?:[0-9A-Fa-f]{0,4}:){2,6}[0-9]{1,3}(?:\\.[0-9]{1,3}){3})$',
);

/** Host name or IP address of a database server. */
export const DatasourceHostSchema = /* @__PURE__ */ define('DatasourceHost', () =>
  z
    .string()
    .max(253)
    .regex(HOST, { error: 'must be a host name or an IP address (IPv6 without brackets), at most 253 characters' })
    .meta({
      description:
        'Host name or IP address of the database server: DNS labels of letters, digits, underscores and hyphens joined by dots, an IPv4 address, or an IPv6 address without brackets; at most 253 characters. Unix-domain sockets are reached through the url form instead.',
      examples: ['db.internal.example.com', '10.0.0.12', '::1'],
    }),
);
export type DatasourceHost = z.output<typeof DatasourceHostSchema>;
export type DatasourceHostInput = z.input<typeof DatasourceHostSchema>;

/** TCP port of a database server. */
export const DatasourcePortSchema = /* @__PURE__ */ define('DatasourcePort', () =>
  z
    .int()
    .min(1)
    .max(65_535)
    .meta({ description: 'TCP port of the database server, 1 to 65535.', examples: [5432] }),
);
export type DatasourcePort = z.output<typeof DatasourcePortSchema>;
export type DatasourcePortInput = z.input<typeof DatasourcePortSchema>;

/**
 * No `.`: MySQL maps a database to a directory and forbids it, and so does
 * MongoDB. `-` is common in hosted database names and is allowed, but not
 * first, so a name passed to a dump tool is never read as an option. 63 is
 * PostgreSQL's limit and below MongoDB's (64 bytes with the terminator).
 */
const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;

/** Name of a database on a server. */
export const DatasourceDatabaseNameSchema = /* @__PURE__ */ define('DatasourceDatabaseName', () =>
  z
    .string()
    .regex(DATABASE_NAME, {
      error: 'must be 1 to 63 letters, digits, underscores and hyphens, not starting with a hyphen',
    })
    .meta({
      description:
        'Name of the database on the server: 1 to 63 ASCII letters, digits, underscores and hyphens, not starting with a hyphen. Dots are refused because MySQL and MongoDB forbid them in database names.',
      examples: ['metasource', 'crm-prod'],
    }),
);
export type DatasourceDatabaseName = z.output<typeof DatasourceDatabaseNameSchema>;
export type DatasourceDatabaseNameInput = z.input<typeof DatasourceDatabaseNameSchema>;

/**
 * A login name. `.` and `@` appear in real ones (Supabase's pooler uses
 * `postgres.<project>`, Cloud SQL IAM users are `name@project.iam`); the
 * limit is the server's own (PostgreSQL 63, MySQL 32).
 */
function databaseUser(maxLength: number, server: string) {
  return z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,${maxLength - 1}}$`), {
      error: `must be 1 to ${maxLength} letters, digits and _ . @ -, starting with a letter, digit or underscore`,
    })
    .meta({
      description: `Login name: 1 to ${maxLength} ASCII letters, digits and _ . @ -, starting with a letter, digit or underscore (${server} allows at most ${maxLength} characters).`,
      examples: ['metasource'],
    });
}

function hostConnectionForm(server: string, defaultPort: number, userMaxLength: number) {
  return z
    .strictObject({
      host: DatasourceHostSchema.meta({
        description: `Host name or IP address of the ${server} server.`,
        examples: ['db.internal.example.com'],
      }),
      port: DatasourcePortSchema.default(defaultPort).meta({
        description: `TCP port of the ${server} server. Default ${defaultPort}.`,
        examples: [defaultPort],
      }),
      database: DatasourceDatabaseNameSchema.meta({
        description: 'Database that holds the metadata tables.',
        examples: ['metasource'],
      }),
      user: databaseUser(userMaxLength, server),
      password: SecretRefSchema.optional().meta({
        description:
          'Password of the user, as a reference to an environment variable or file; never inline. Absent when the server authenticates otherwise (a client certificate, IAM or peer authentication).',
        examples: [{ env: 'PG_PASSWORD' }],
      }),
    })
    .meta({
      description: `Connection to a ${server} server by its parts: host, port (default ${defaultPort}), database, user and a password reference.`,
      examples: [{ host: 'db.internal.example.com', database: 'metasource', user: 'metasource', password: { env: 'DB_PASSWORD' } }],
    });
}

/** A connection given as a URL, which is a secret because it can embed credentials. */
export const DatasourceUrlConnectionSchema = /* @__PURE__ */ define('DatasourceUrlConnection', () =>
  z
    .strictObject({
      url: SecretRefSchema.meta({
        description:
          'Reference to the connection URL (postgres://…, mysql://…, mongodb://… or mongodb+srv://…). A URL can embed a password, so it is accepted only as a reference to an environment variable or file, never inline.',
        examples: [{ env: 'DATABASE_URL' }],
      }),
    })
    .meta({
      description:
        'A connection given as one URL, read from an environment variable or file at connect time. Use it for what the host form cannot say, such as a Unix-domain socket or driver-specific URL parameters; the tls group still decides TLS.',
      examples: [{ url: { env: 'DATABASE_URL' } }],
    }),
);
export type DatasourceUrlConnection = z.output<typeof DatasourceUrlConnectionSchema>;
export type DatasourceUrlConnectionInput = z.input<typeof DatasourceUrlConnectionSchema>;

const INLINE_URL_MESSAGE =
  'a connection is an object; a connection URL can carry credentials, so give it as a reference: { "url": { "env": "DATABASE_URL" } }';

/**
 * The host form or the url form of a connection.
 *
 * Zod reports a union that fails as one `invalid_union` issue at the union's
 * own path, which buries the cause: an inline password would surface as
 * "Invalid input" at `connection`, not as the inline-secret message at
 * `connection.password`. The two forms are strict objects with disjoint
 * required keys, so the input's keys say which one was meant (`url` present:
 * the url form). We validate against that form first and report its issues
 * at their own paths; the union remains for the types and for JSON Schema,
 * where an `anyOf` of the two strict objects matches at most one of them.
 */
function connectionForms<H extends z.ZodObject, U extends z.ZodObject>(hostForm: H, urlForm: U) {
  const forms = z.union([hostForm, urlForm]);
  return z.preprocess<unknown, typeof forms, z.input<typeof forms>>((input: unknown, ctx: z.RefinementCtx) => {
    if (typeof input === 'string') {
      ctx.addIssue({ code: 'invalid_type', expected: 'object', message: INLINE_URL_MESSAGE, input });
      return input;
    }
    const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
    const form = isObject && Object.hasOwn(input, 'url') ? urlForm : hostForm;
    const result = form.safeParse(input);
    if (!result.success) {
      // A copy: addIssue's parameter type wants an object literal, not a finalised issue.
      for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    }
    return input;
  }, forms);
}

/**
 * What tells the two server drivers apart. PostgreSQL and MySQL datasources
 * have the same shape (host or url connection, pool, TLS, statement
 * timeout); only these facts differ, so both are built from one factory and
 * a fix to one reaches the other.
 */
interface ServerDriverProfile<D extends 'postgres' | 'mysql'> {
  driver: D;
  /** The server's name in descriptions. */
  server: string;
  defaultPort: number;
  /** The server's own limit on a login name, in characters. */
  userMaxLength: number;
  /** Environment variable the examples read the password from. */
  passwordEnv: string;
  /** How the server ends an overlong statement, and the setting that does it. */
  statementTimeout: { verb: string; setting: string };
  // The descriptions of the two registered schemas are written out whole, not
  // assembled: each must appear verbatim in a bundle, where the tree-shaking
  // test looks for it (tests/tree-shaking.test.ts).
  /** Description of the driver's connection schema. */
  connectionDescription: string;
  /** Description of the driver's datasource schema. */
  datasourceDescription: string;
}

// Functions rather than constants: a property read at module level (DEFAULT_PORTS.postgres)
// would keep this module from being dropped by a bundler when nothing from it is used.
const postgresProfile = (): ServerDriverProfile<'postgres'> => ({
  driver: 'postgres',
  server: 'PostgreSQL',
  defaultPort: DEFAULT_PORTS.postgres,
  userMaxLength: 63,
  passwordEnv: 'PG_PASSWORD',
  statementTimeout: { verb: 'cancels', setting: 'PostgreSQL statement_timeout' },
  connectionDescription:
    'Where to connect: either { host, port (default 5432), database, user, password? } or { url } with a reference to a postgres:// URL. The two forms cannot be mixed.',
  datasourceDescription:
    'A named PostgreSQL datasource: connection, pool, TLS and statement timeout. Parsing fills every default, including the pool and TLS groups.',
});

const mysqlProfile = (): ServerDriverProfile<'mysql'> => ({
  driver: 'mysql',
  server: 'MySQL',
  defaultPort: DEFAULT_PORTS.mysql,
  userMaxLength: 32,
  passwordEnv: 'MYSQL_PASSWORD',
  statementTimeout: { verb: 'stops', setting: 'MySQL max_execution_time, which MySQL applies to read-only SELECT statements only' },
  connectionDescription:
    'Where to connect: either { host, port (default 3306), database, user, password? } or { url } with a reference to a mysql:// URL. The two forms cannot be mixed.',
  datasourceDescription:
    'A named MySQL datasource: connection, pool, TLS and statement timeout. MySQL commits DDL implicitly, so migrations on it cannot be rolled back (see MYSQL_CAPABILITIES).',
});

/** The connection of a server driver: its host form or the url form. */
function serverConnection(profile: ServerDriverProfile<'postgres' | 'mysql'>) {
  return connectionForms(
    hostConnectionForm(profile.server, profile.defaultPort, profile.userMaxLength),
    DatasourceUrlConnectionSchema,
  ).meta({
    description: profile.connectionDescription,
    examples: [
      { host: 'db.internal.example.com', database: 'metasource', user: 'metasource', password: { env: profile.passwordEnv } },
      { url: { env: 'DATABASE_URL' } },
    ],
  });
}

/** Where a PostgreSQL datasource connects: host form or url form. */
export const PostgresConnectionSchema = /* @__PURE__ */ define('PostgresConnection', () => serverConnection(postgresProfile()));
export type PostgresConnection = z.output<typeof PostgresConnectionSchema>;
export type PostgresConnectionInput = z.input<typeof PostgresConnectionSchema>;

/** Where a MySQL datasource connects: host form or url form. */
export const MysqlConnectionSchema = /* @__PURE__ */ define('MysqlConnection', () => serverConnection(mysqlProfile()));
export type MysqlConnection = z.output<typeof MysqlConnectionSchema>;
export type MysqlConnectionInput = z.input<typeof MysqlConnectionSchema>;

/** Where a SQLite datasource keeps its database. */
export const SqliteConnectionSchema = /* @__PURE__ */ define('SqliteConnection', () =>
  z
    .strictObject({
      // SQLite's own spelling of an in-memory database is kept rather than a
      // separate `{ memory: true }` form: every SQLite binding understands it,
      // and a second form would be a second way to say the same thing.
      filename: boundedText(1, 4096)
        .regex(/^[^\0]*$/, { error: 'must not contain a NUL character' })
        .meta({
          description:
            'Path of the database file, absolute or relative to the runtime\'s working directory; created when missing. ":memory:" opens a private in-memory database that is lost when its connection closes; each connection gets its own, so the runtime keeps a single one.',
          examples: ['/var/lib/metasource/metadata.db', ':memory:'],
        }),
    })
    .meta({
      description: 'Where the SQLite database lives: a file path, or ":memory:" for an in-memory database.',
      examples: [{ filename: '/var/lib/metasource/metadata.db' }],
    }),
);
export type SqliteConnection = z.output<typeof SqliteConnectionSchema>;
export type SqliteConnectionInput = z.input<typeof SqliteConnectionSchema>;

/** Where a MongoDB datasource connects. */
export const MongodbConnectionSchema = /* @__PURE__ */ define('MongodbConnection', () =>
  z
    .strictObject({
      url: SecretRefSchema.meta({
        description:
          'Reference to the mongodb:// or mongodb+srv:// connection string. It names hosts, replica set and credentials, so it is accepted only as a reference, never inline.',
        examples: [{ env: 'MONGODB_URL' }],
      }),
      database: DatasourceDatabaseNameSchema.meta({
        description: 'Database that holds the metadata collections; takes precedence over a database named in the URL path.',
        examples: ['metasource'],
      }),
    })
    .meta({
      description: 'Where to connect: a reference to the MongoDB connection string and the database to use.',
      examples: [{ url: { env: 'MONGODB_URL' }, database: 'metasource' }],
    }),
);
export type MongodbConnection = z.output<typeof MongodbConnectionSchema>;
export type MongodbConnectionInput = z.input<typeof MongodbConnectionSchema>;

function datasourceName() {
  return MachineNameSchema.meta({
    description: 'Name of the datasource, by which metadata driver and loader configs refer to it.',
    examples: ['metadata_db'],
  });
}

function poolGroup() {
  return DatasourcePoolSchema.prefault({}).meta({
    description: 'Connection pool limits; every limit has a default, so the group may be left out.',
  });
}

function tlsGroup() {
  return DatasourceTlsSchema.prefault({}).meta({
    description: 'TLS settings; when left out, TLS is required and the server certificate and host name are verified (verify_full).',
  });
}

/** A datasource of a server driver, given its profile and its (registered) connection schema. */
function serverDatasource<D extends 'postgres' | 'mysql', C extends z.ZodType>(profile: ServerDriverProfile<D>, connection: C) {
  const { server, statementTimeout } = profile;
  return z
    .strictObject({
      driver: z.literal(profile.driver).meta({ description: `Driver: ${server}.` }),
      name: datasourceName(),
      connection: connection.meta({ description: 'Where to connect: the host form or a URL reference.' }),
      pool: poolGroup(),
      tls: tlsGroup(),
      statementTimeoutMs: z
        .int()
        .min(0)
        .max(3_600_000)
        .default(30_000)
        .meta({
          description: `Longest a single statement may run before the server ${statementTimeout.verb} it, in milliseconds (${statementTimeout.setting}); 0 means no limit. Default 30000 (30 seconds).`,
          examples: [60_000],
        }),
    })
    .meta({
      description: profile.datasourceDescription,
      examples: [
        {
          driver: profile.driver,
          name: 'metadata_db',
          connection: {
            host: 'db.internal.example.com',
            database: 'metasource',
            user: 'metasource',
            password: { env: profile.passwordEnv },
          },
        },
      ],
    });
}

/** A PostgreSQL datasource. */
export const PostgresDatasourceSchema = /* @__PURE__ */ define('PostgresDatasource', () =>
  serverDatasource(postgresProfile(), PostgresConnectionSchema),
);
export type PostgresDatasource = z.output<typeof PostgresDatasourceSchema>;
export type PostgresDatasourceInput = z.input<typeof PostgresDatasourceSchema>;

/** A MySQL datasource. */
export const MysqlDatasourceSchema = /* @__PURE__ */ define('MysqlDatasource', () =>
  serverDatasource(mysqlProfile(), MysqlConnectionSchema),
);
export type MysqlDatasource = z.output<typeof MysqlDatasourceSchema>;
export type MysqlDatasourceInput = z.input<typeof MysqlDatasourceSchema>;

/** A SQLite datasource. */
export const SqliteDatasourceSchema = /* @__PURE__ */ define('SqliteDatasource', () =>
  z
    .strictObject({
      driver: z.literal('sqlite').meta({ description: 'Driver: SQLite.' }),
      name: datasourceName(),
      connection: SqliteConnectionSchema.meta({ description: 'Where the database file is, or ":memory:".' }),
      busyTimeoutMs: z
        .int()
        .min(0)
        .max(600_000)
        .default(5_000)
        .meta({
          description:
            'How long a statement waits for a lock held by another connection or process before failing with SQLITE_BUSY, in milliseconds (PRAGMA busy_timeout); 0 fails at once. Default 5000 (5 seconds).',
          examples: [10_000],
        }),
      journalMode: z
        .enum(['wal', 'delete'])
        .default('wal')
        .meta({
          description:
            "Journal mode (PRAGMA journal_mode). wal lets readers work while one writer writes; delete is the rollback journal, for file systems where WAL's shared memory does not work, such as network file systems. Default wal. An in-memory database keeps its journal in memory whatever this says.",
          examples: ['wal'],
        }),
    })
    .meta({
      description:
        'A named SQLite datasource: a database file (or memory), busy timeout and journal mode. SQLite runs in-process, so there is no pool and no TLS.',
      examples: [{ driver: 'sqlite', name: 'metadata_db', connection: { filename: '/var/lib/metasource/metadata.db' } }],
    }),
);
export type SqliteDatasource = z.output<typeof SqliteDatasourceSchema>;
export type SqliteDatasourceInput = z.input<typeof SqliteDatasourceSchema>;

/** A MongoDB datasource. */
export const MongodbDatasourceSchema = /* @__PURE__ */ define('MongodbDatasource', () =>
  z
    .strictObject({
      driver: z.literal('mongodb').meta({ description: 'Driver: MongoDB.' }),
      name: datasourceName(),
      connection: MongodbConnectionSchema.meta({ description: 'Connection string reference and database.' }),
      pool: poolGroup(),
      tls: tlsGroup(),
    })
    .meta({
      description:
        'A named MongoDB datasource: a connection string reference, the database, pool and TLS. Pool and TLS settings take precedence over the same options in the connection string.',
      examples: [{ driver: 'mongodb', name: 'metadata_db', connection: { url: { env: 'MONGODB_URL' }, database: 'metasource' } }],
    }),
);
export type MongodbDatasource = z.output<typeof MongodbDatasourceSchema>;
export type MongodbDatasourceInput = z.input<typeof MongodbDatasourceSchema>;

/** A named datasource of any driver, told apart by `driver`. */
export const DatasourceSchema = /* @__PURE__ */ define('Datasource', () =>
  z.discriminatedUnion('driver', [PostgresDatasourceSchema, MysqlDatasourceSchema, SqliteDatasourceSchema, MongodbDatasourceSchema]).meta({
    description:
      'A named datasource: where metadata is stored. The driver field selects the shape (postgres, mysql, sqlite or mongodb); secrets are always references.',
    examples: [
      {
        driver: 'postgres',
        name: 'metadata_db',
        connection: { host: 'db.internal.example.com', database: 'metasource', user: 'metasource', password: { env: 'PG_PASSWORD' } },
      },
      { driver: 'sqlite', name: 'local_metadata', connection: { filename: ':memory:' } },
    ],
  }),
);
export type Datasource = z.output<typeof DatasourceSchema>;
export type DatasourceInput = z.input<typeof DatasourceSchema>;

/** What a driver can do, and so which fallback a runtime uses. */
export const DatasourceCapabilitiesSchema = /* @__PURE__ */ define('DatasourceCapabilities', () =>
  z
    .strictObject({
      driver: DatasourceDriverSchema.meta({ description: 'Driver the profile describes.' }),
      transactionalDdl: z.boolean().meta({
        description:
          'Whether DDL (create, alter, drop) runs inside a transaction and rolls back with it. When false, a failed DDL cannot be rolled back (MySQL commits DDL implicitly), so a runtime runs migrations under a lock table and takes a backup first.',
      }),
      jsonColumns: z.boolean().meta({
        description:
          'Whether the database stores and queries JSON natively. When false, a runtime stores the payload as text and filters on payload paths in the runtime.',
      }),
      partialIndexes: z.boolean().meta({
        description:
          'Whether an index can cover only the rows matching a condition (for example only active items). When false, a runtime creates full indexes.',
      }),
      advisoryLocks: z.boolean().meta({
        description:
          'Whether the database offers named locks outside any table (PostgreSQL pg_advisory_lock, MySQL GET_LOCK). When false, a runtime takes a lock row in a lock table with an expiry, so a crashed holder cannot block forever.',
      }),
      changeStreams: z.boolean().meta({
        description: 'Whether the database pushes changes to subscribers. When false, a runtime polls the change feed by sequence number.',
      }),
      nulCharacters: z.boolean().meta({
        description:
          'Whether stored text, JSON strings and JSON keys can hold the character U+0000. False on PostgreSQL, whose text, json operators and jsonb cannot carry it, and on MongoDB, whose BSON keys are C strings. When false, a runtime refuses a write whose payload holds U+0000 with unsupported_capability (capability nul_character) and writes nothing, rather than store other text (R18); a condition value holding it is still answered exactly.',
      }),
      tableSchemas: z.boolean().meta({
        description:
          "Whether the metadata table can be placed in a named schema beside the connection's default (a PostgreSQL schema; on MySQL, another database on the same server). When false (SQLite, MongoDB: the datasource names the database and there is nothing below it), metadata.table.schema is rejected: MetasourceConfig's rule table_schema_needs_schema_support, and a runtime given the table and the datasource separately. There is no fallback, because ignoring the setting would put the table somewhere else than the configuration says.",
      }),
      maxIdentifierLength: z
        .int()
        .min(1)
        .max(1024)
        .meta({
          description:
            'Longest table, column, index or collection name the database accepts, in characters (names here are ASCII, so also bytes). Generated names are shortened to fit.',
          examples: [63],
        }),
    })
    .meta({
      description:
        'Capability profile of a driver: transactional DDL, native JSON, partial indexes, advisory locks, change streams, table schemas and identifier length. Each missing capability has a defined fallback or a defined refusal, described on its field.',
      examples: [
        {
          driver: 'postgres',
          transactionalDdl: true,
          jsonColumns: true,
          partialIndexes: true,
          advisoryLocks: true,
          changeStreams: false,
          tableSchemas: true,
          nulCharacters: false,
          maxIdentifierLength: 63,
        },
      ],
    }),
);
export type DatasourceCapabilities = z.output<typeof DatasourceCapabilitiesSchema>;
export type DatasourceCapabilitiesInput = z.input<typeof DatasourceCapabilitiesSchema>;

/**
 * PostgreSQL. Logical replication can stream changes, but it needs a
 * replication slot and server configuration, so it is not counted as a change
 * stream. 63 = NAMEDATALEN - 1 bytes.
 */
export const POSTGRES_CAPABILITIES: Readonly<DatasourceCapabilities> = /* @__PURE__ */ Object.freeze({
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

/** MySQL: DDL commits implicitly; JSON type; no partial indexes; GET_LOCK; a table may live in another database (its "schema"); 64-character names. */
export const MYSQL_CAPABILITIES: Readonly<DatasourceCapabilities> = /* @__PURE__ */ Object.freeze({
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

/**
 * SQLite. JSON is stored as TEXT and queried with the built-in JSON functions.
 * The datasource is one database file, with no schema to choose inside it
 * (an ATTACHed database would be a second file the datasource does not name).
 * SQLite sets no identifier limit of its own (only the statement length limit),
 * so the profile gives the largest value the schema allows, 1024; every name
 * this protocol generates is far shorter.
 */
export const SQLITE_CAPABILITIES: Readonly<DatasourceCapabilities> = /* @__PURE__ */ Object.freeze({
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

/**
 * MongoDB. Creating collections and indexes is not transactional; partial
 * indexes through partialFilterExpression; 255 is the namespace
 * (database.collection) limit in bytes; the datasource names the database,
 * and a collection has no schema below it. Change streams need a replica set or
 * sharded cluster: on a standalone server a runtime polls as if this were false.
 */
export const MONGODB_CAPABILITIES: Readonly<DatasourceCapabilities> = /* @__PURE__ */ Object.freeze({
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

/** Capability profile of every driver, keyed by driver. */
export const DATASOURCE_CAPABILITIES: Readonly<Record<DatasourceDriver, DatasourceCapabilities>> = /* @__PURE__ */ Object.freeze({
  postgres: POSTGRES_CAPABILITIES,
  mysql: MYSQL_CAPABILITIES,
  sqlite: SQLITE_CAPABILITIES,
  mongodb: MONGODB_CAPABILITIES,
});
