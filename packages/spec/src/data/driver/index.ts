export * from './metadata-driver.zod';
