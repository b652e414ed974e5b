import type { Metadata } from '@grpc/grpc-js';

import { invalid } from '@voltha/device-lifecycle';

/** The `get-depth` metadata of 1.x (0 when absent): levels of children to include in the reply. */
export function depthOf(metadata: Metadata | undefined, fallback = 0): number {
  const raw = metadata?.get('get-depth')[0];
  if (raw === undefined || raw === '') return fallback;
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) throw invalid(`get-depth '${text}' is not an integer`);
  return Number(text);
}

/** The transaction id of a ConfigService call: the request field, else the `transaction-id` header. */
export function txidOf(requestTxid: string, metadata: Metadata | undefined): string | undefined {
  if (requestTxid) return requestTxid;
  const raw = metadata?.get('transaction-id')[0];
  return raw ? String(raw) : undefined;
}

/** gRPC handlers that answer google.protobuf.Empty return this. */
export const EMPTY = {} as never;
