export * from './datasource.zod';
export * from './driver';
