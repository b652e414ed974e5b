export * from './lib/config-reader';
export * from './lib/grpc';
export * from './lib/grpc-errors';
export * from './lib/health-server';
export * from './lib/logger';
export * from './lib/probes';
export * from './lib/run-service';
