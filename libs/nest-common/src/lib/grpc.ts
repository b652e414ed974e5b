import { status } from '@grpc/grpc-js';
import type { GrpcOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';

export { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';

/** Options of a Nest gRPC server hosting the given services of package `voltha`. */
export function grpcServerOptions(url: string, protoFiles: string[]): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url,
      package: 'voltha',
      protoPath: protoFiles.map(protoPath),
      loader: { ...GRPC_LOADER_OPTIONS, includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs] },
      maxReceiveMessageLength: 64 * 1024 * 1024,
      maxSendMessageLength: 64 * 1024 * 1024
    }
  };
}

/** gRPC status names as used by the domain errors' `code` property. */
export const GRPC_STATUS_BY_NAME: Readonly<Record<string, status>> = {
  OK: status.OK,
  CANCELLED: status.CANCELLED,
  UNKNOWN: status.UNKNOWN,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  ABORTED: status.ABORTED,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
  UNAVAILABLE: status.UNAVAILABLE,
  DATA_LOSS: status.DATA_LOSS,
  UNAUTHENTICATED: status.UNAUTHENTICATED
};
