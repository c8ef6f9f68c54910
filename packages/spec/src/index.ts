export * from './shared';
export * from './data';
export * from './system';
