/**
 * The configuration examples (examples/metadata-datasource-config.example.ts
 * and their JSON twins in examples/json/): each is accepted by Zod and by the
 * emitted JSON Schema, the parsed value is accepted by the output variant,
 * and the TypeScript and JSON copies say the same thing.
 *
 * '@metasource/spec' resolves to the built package (packages/spec/dist);
 * `pnpm test` builds it first (`pnpm run build:package`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetasourceConfigSchema } from '@metasource/spec';
import * as exampleModule from '../examples/metadata-datasource-config.example';
import { examples } from '../examples/metadata-datasource-config.example';
import { JSON_SCHEMA_DIR, ajvForVariant } from '../support/ajv';

const JSON_DIR = join(import.meta.dirname, '../examples/json');
const SCHEMA_REF = '../../packages/spec/json-schema/input/metasource-config.json';

/** `sqliteDevelopment` -> `sqlite-development`. */
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

const idOf = (dir: 'input' | 'output') =>
  (JSON.parse(readFileSync(join(JSON_SCHEMA_DIR, dir, 'metasource-config.json'), 'utf8')) as { $id: string }).$id;

const jsonFiles = readdirSync(JSON_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const readJson = (file: string) => JSON.parse(readFileSync(join(JSON_DIR, file), 'utf8')) as Record<string, unknown>;

const input = ajvForVariant('input').ajv;
const output = ajvForVariant('output').ajv;
const validateInput = input.getSchema(idOf('input'))!;
const validateOutput = output.getSchema(idOf('output'))!;

const named = Object.entries(examples);

describe('TypeScript examples', () => {
  it('`examples` lists every exported configuration: the six of the design summary and the two local servers', () => {
    const exported = Object.keys(exampleModule)
      .filter((key) => key !== 'examples')
      .sort();
    expect(Object.keys(examples).sort()).toEqual(exported);
    expect(exported).toEqual([
      'advancedPostgres',
      'basicPostgres',
      'hybrid',
      'localMariadb',
      'localPostgres',
      'mongodb',
      'multiTenant',
      'sqliteDevelopment',
    ]);
  });

  it.each(named)('%s parses with MetasourceConfigSchema', (_name, config) => {
    const result = MetasourceConfigSchema.safeParse(config);
    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it.each(named)('%s is accepted by the input JSON Schema, and its parsed value by the output variant', (_name, config) => {
    expect(validateInput(config), JSON.stringify(validateInput.errors)).toBe(true);
    const parsed = MetasourceConfigSchema.parse(config);
    expect(validateOutput(parsed), JSON.stringify(validateOutput.errors)).toBe(true);
  });
});

describe('JSON examples (examples/json)', () => {
  it('are exactly one file per TypeScript example', () => {
    expect(jsonFiles).toEqual(
      Object.keys(examples)
        .map((name) => `${kebab(name)}.json`)
        .sort(),
    );
  });

  it.each(jsonFiles)('%s starts with the $schema key of the input variant', (file) => {
    const json = readJson(file);
    expect(Object.keys(json)[0]).toBe('$schema');
    expect(json.$schema).toBe(SCHEMA_REF);
    // The relative reference must point at a file that exists, for editors.
    expect((JSON.parse(readFileSync(join(JSON_DIR, SCHEMA_REF), 'utf8')) as { $id: string }).$id).toBe(idOf('input'));
  });

  it.each(jsonFiles)('%s parses with Zod', (file) => {
    const result = MetasourceConfigSchema.safeParse(readJson(file));
    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });

  it.each(jsonFiles)('%s validates with Ajv against the input variant', (file) => {
    expect(validateInput(readJson(file)), JSON.stringify(validateInput.errors)).toBe(true);
  });

  it.each(jsonFiles)('%s: the value Zod parses it to validates against the output variant', (file) => {
    const parsed = MetasourceConfigSchema.parse(readJson(file));
    expect(validateOutput(parsed), JSON.stringify(validateOutput.errors)).toBe(true);
  });

  it.each(named.map(([name, config]) => [`${kebab(name)}.json`, name, config] as const))(
    '%s equals its TypeScript twin %s (minus $schema)',
    (file, _name, config) => {
      const { $schema: _schema, ...rest } = readJson(file);
      expect(rest).toEqual(config);
    },
  );
});

describe('the checks bite', () => {
  it('a typo in a config key is rejected by Zod and by Ajv', () => {
    const typo = { ...examples.basicPostgres, metadata: { datasource: 'metadata_db', migration: { autoMigrte: true } } };
    expect(MetasourceConfigSchema.safeParse(typo).error?.issues).toMatchObject([
      { path: ['metadata', 'migration'], code: 'unrecognized_keys', keys: ['autoMigrte'] },
    ]);
    expect(validateInput(typo)).toBe(false);
  });

  it('an inline password is rejected by Zod and by Ajv', () => {
    const datasource = examples.basicPostgres.datasources[0]!;
    const inline = {
      ...examples.basicPostgres,
      datasources: [{ ...datasource, connection: { ...datasource.connection, password: 'hunter2' } }],
    };
    expect(MetasourceConfigSchema.safeParse(inline).error?.issues).toMatchObject([{ path: ['datasources', 0, 'connection', 'password'] }]);
    expect(validateInput(inline)).toBe(false);
  });
});
