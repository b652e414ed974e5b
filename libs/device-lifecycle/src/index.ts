export * from './lib/admin-state';
export * from './lib/create-device';
export * from './lib/errors';
export * from './lib/ids';
