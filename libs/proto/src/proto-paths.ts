import { join } from 'node:path';

/** Include root of the .proto sources (imports are written relative to it), for @grpc/proto-loader. */
export const PROTOS_ROOT = join(__dirname, '..', '..', '..', 'protos');

/** Absolute path of a proto file of voltha_protos/, e.g. protoPath('voltha_service.proto'). */
export function protoPath(file: string): string {
  return join(PROTOS_ROOT, 'voltha_protos', file);
}

/**
 * @grpc/proto-loader settings shared by every server, client and test. They match the ts-proto
 * options of this lib: camelCase fields, 64-bit integers as decimal strings, enums as numbers,
 * defaults filled in, oneof members as plain fields.
 */
export const GRPC_LOADER_OPTIONS: {
  includeDirs: string[];
  keepCase: boolean;
  longs: StringConstructor;
  enums: NumberConstructor;
  defaults: boolean;
  arrays: boolean;
  oneofs: boolean;
} = {
  includeDirs: [PROTOS_ROOT],
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  arrays: true,
  oneofs: true
};
