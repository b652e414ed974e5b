export * from './lib/adapter';
export * from './lib/adapter-agent';
export * from './lib/adapter-agent-base';
export * from './lib/dispatcher';
export * from './lib/errors';
export * from './lib/scheduler';
export * from './testing';
