export * from './metadata-persistence.zod';
export * from './metasource-config.zod';
export * from './metadata-store.zod';
export type * from './metadata-store';
