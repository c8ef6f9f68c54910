export * from './registry';
export * from './identifier.zod';
export * from './secret-ref.zod';
export * from './isolation-level.zod';
export * from './json.zod';
export * from './text';
