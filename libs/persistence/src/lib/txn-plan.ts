import type { KvCheck, KvLimits, KvOp } from '@voltha/kv';

/** One KV transaction of a plan. */
export interface PlannedTxn {
  ops: KvOp[];
  /** True for the transaction that writes the root pointer (checked with compare-and-set). */
  writesRoot: boolean;
}

export interface PlanInput {
  puts: ReadonlyMap<string, Uint8Array>;
  root: { key: string; value: Uint8Array };
  deletes: Iterable<string>;
  /** Checks of the root transaction (root version or absence); they count against maxTxnOps. */
  rootChecks: readonly KvCheck[];
  /** A fence counts as one more operation in every transaction. */
  fenced: boolean;
  limits: Pick<KvLimits, 'maxTxnOps' | 'maxTxnBytes'>;
}

export interface TxnPlan {
  txns: PlannedTxn[];
  /** Deletes that did not fit into the root transaction, for later transactions. */
  leftoverDeletes: string[];
}

const OVERHEAD_BYTES = 64;
const sizeOf = (op: KvOp): number =>
  op.key.length + OVERHEAD_BYTES + (op.type === 'put' ? op.value.byteLength * 1.4 : 0);

/**
 * Splits one merged batch into KV transactions that respect the backend's limits (operations per
 * transaction, bytes per request): blob puts first, in as few transactions as they fit; the root
 * pointer in the last one (with its compare-and-set checks), so the root is written only after all
 * its blobs; then as many deletes as still fit into that last transaction. The remaining deletes
 * are returned: the caller applies them later (they are garbage, not needed for consistency).
 * Byte sizes count base64 growth (Consul) with a margin.
 */
export function planTransactions(input: PlanInput): TxnPlan {
  const fenceOps = input.fenced ? 1 : 0;
  const maxOps = input.limits.maxTxnOps - fenceOps;
  const maxBytes = input.limits.maxTxnBytes;
  if (maxOps < input.rootChecks.length + 1)
    throw new Error('backend transactions are too small to write the root');

  const rootOp: KvOp = { type: 'put', key: input.root.key, value: input.root.value };
  const txns: PlannedTxn[] = [];
  let current: KvOp[] = [];
  let bytes = 0;
  for (const [key, value] of input.puts) {
    const op: KvOp = { type: 'put', key, value };
    const size = sizeOf(op);
    if (current.length > 0 && (current.length + 1 > maxOps || bytes + size > maxBytes)) {
      txns.push({ ops: current, writesRoot: false });
      current = [];
      bytes = 0;
    }
    current.push(op);
    bytes += size;
  }
  // The root goes into the last blob transaction if there is room for it and its checks.
  const rootSize = sizeOf(rootOp);
  if (
    current.length + 1 + input.rootChecks.length > maxOps ||
    (current.length > 0 && bytes + rootSize > maxBytes)
  ) {
    txns.push({ ops: current, writesRoot: false });
    current = [];
    bytes = 0;
  }
  current.push(rootOp);
  bytes += rootSize;
  const leftoverDeletes: string[] = [];
  for (const key of input.deletes) {
    const op: KvOp = { type: 'delete', key };
    if (current.length + 1 + input.rootChecks.length <= maxOps && bytes + sizeOf(op) <= maxBytes) {
      current.push(op);
      bytes += sizeOf(op);
    } else {
      leftoverDeletes.push(key);
    }
  }
  txns.push({ ops: current, writesRoot: true });
  return { txns, leftoverDeletes };
}

/** Splits deletes into transactions of at most the backend's size. */
export function planDeletes(keys: readonly string[], maxOps: number): KvOp[][] {
  const out: KvOp[][] = [];
  for (let i = 0; i < keys.length; i += maxOps) {
    out.push(keys.slice(i, i + maxOps).map((key) => ({ type: 'delete', key }) as KvOp));
  }
  return out;
}
