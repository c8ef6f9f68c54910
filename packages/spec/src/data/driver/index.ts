export * from './metadata-query.zod';
export * from './metadata-table.zod';
export * from './metadata-driver.zod';
export * from './metadata-bulk.zod';
export * from './metadata-migration.zod';
export * from './metadata-operation-result.zod';
