export * from './lib/change-event';
export * from './lib/reliable-publisher';
export * from './lib/topics';
