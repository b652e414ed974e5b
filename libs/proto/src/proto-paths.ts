import { join } from 'node:path';

/** Include root of the .proto sources (imports are written relative to it), for @grpc/proto-loader. */
export const PROTOS_ROOT = join(__dirname, '..', '..', '..', 'protos');
