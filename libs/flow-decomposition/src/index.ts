export * from './lib/errors';
export * from './lib/topology';
export * from './lib/decompose';
export * from './lib/engine';
