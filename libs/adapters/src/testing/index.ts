export * from './in-memory-core';
export * from './journal';
export * from './virtual-scheduler';
