import { defineConfig } from 'tsup';

/**
 * One entry per public subpath. `splitting` puts modules shared by several
 * entries into common chunks, so `@metasource/spec` and
 * `@metasource/spec/data` hand out the very same schema objects (and one
 * registry) instead of two copies.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'shared/index': 'src/shared/index.ts',
    'data/index': 'src/data/index.ts',
    'system/index': 'src/system/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['zod'],
});
