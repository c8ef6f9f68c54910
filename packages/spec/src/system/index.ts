export * from './metadata-record.zod';
export * from './metadata-persistence.zod';
export * from './metasource-config.zod';
