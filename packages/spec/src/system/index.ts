export * from './metadata-persistence.zod';
export * from './metasource-config.zod';
