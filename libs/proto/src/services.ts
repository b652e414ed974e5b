// gRPC service interfaces and their NestJS method decorators, kept apart from the messages so that
// pure libraries importing '@voltha/proto' never load NestJS. Import as '@voltha/proto/services'.
export * from './generated/services';
