import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', sql: 'src/sql/tools.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
  external: ['zod', '@metasource/spec', 'vitest', 'canonicalize', 'kysely', 'better-sqlite3', 'pg', 'mysql2'],
});
