export * from './metadata-driver.zod';
export * from './metadata-operation-result.zod';
