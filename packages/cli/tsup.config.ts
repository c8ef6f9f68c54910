import { defineConfig } from 'tsup';

// The bin (src/cli.ts keeps its #!/usr/bin/env node line) and the library
// entry. The workspace packages, the database clients and the command-line
// libraries stay external, the store's `sql` entry (src/store-internals.ts)
// included.
export default defineConfig({
  entry: { cli: 'src/cli.ts', index: 'src/index.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  target: 'es2022',
  platform: 'node',
  external: [
    '@metasource/spec',
    '@metasource/store',
    '@metasource/store/sql',
    'kysely',
    '@metasource/conformance',
    'zod',
    'commander',
    'yaml',
    'better-sqlite3',
    'pg',
    'mysql2',
  ],
});
