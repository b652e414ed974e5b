export * from './generated';
export { messageTypeRegistry } from './generated/typeRegistry';
export type { MessageType, UnknownMessage, DeepPartial } from './generated/typeRegistry';
export * from './reflection';
export * from './proto-paths';
