import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
