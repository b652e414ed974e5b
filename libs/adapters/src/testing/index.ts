export * from './in-memory-core';
export * from './journal';
export * from './simulated-pon';
export * from './virtual-scheduler';
