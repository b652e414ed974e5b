export * from './lib/change-event';
export * from './lib/reliable-publisher';
export * from './lib/topics';
export * from './lib/event-source';
export * from './lib/kafka-event-source';
export * from './lib/watch-event-source';
