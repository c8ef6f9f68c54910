export * from './datasource.zod';
export * from './metadata-record.zod';
export * from './driver';
