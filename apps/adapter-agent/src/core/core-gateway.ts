import type { AgentOperation } from '@voltha/adapters';
import type { Device } from '@voltha/proto';

import { AgentOperations } from './agent-operations';
import { isCoreCode } from './config-client';
import type { ConfigClient } from './config-client';
import type { TreeIndex } from './tree-index';
import { mapLimit, TxContext } from './tx-context';

/** Operations of one independent run that are applied at once. */
const PARALLEL_OPS = 16;

/**
 * Splits a transaction's operations into runs applied one after the other. A run of several operations
 * holds consecutive operations that cannot affect each other, applied concurrently: child detections
 * (a discovery batch: new devices on distinct proxy addresses) and updates of distinct children.
 */
export function independentRuns(operations: readonly AgentOperation[]): AgentOperation[][] {
  const runs: AgentOperation[][] = [];
  let run: AgentOperation[] = [];
  let runGroup: string | undefined;
  let ids = new Set<string>();
  const flush = (): void => {
    if (run.length > 0) runs.push(run);
    run = [];
    runGroup = undefined;
    ids = new Set();
  };
  for (const op of operations) {
    const group =
      op.op === 'childDeviceDetected' ? 'detect' : op.op === 'updateChildDevice' ? 'update' : undefined;
    if (group === undefined) {
      flush();
      runs.push([op]);
      continue;
    }
    const id = op.op === 'updateChildDevice' ? op.device.id : undefined;
    if (group !== runGroup || (id !== undefined && ids.has(id))) flush();
    runGroup = group;
    run.push(op);
    if (id !== undefined) ids.add(id);
  }
  flush();
  return runs;
}

/**
 * Nodes that many transactions of this agent write at once: the peer ports that `addPort` updates with
 * the reverse PeerPort (an OLT PON port is the peer of up to 128 ONU PON ports). Transactions that write
 * the same such node take turns instead of failing each other's merge.
 */
export function hotNodesOf(operations: readonly AgentOperation[]): string[] {
  const keys = new Set<string>();
  for (const op of operations) {
    if (op.op === 'addPort') for (const peer of op.port.peers) keys.add(`${peer.deviceId}/${peer.portNo}`);
  }
  return [...keys].sort();
}

/** One async mutex per key; keys are taken in sorted order (no deadlock between two key sets). */
class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();

  public async acquire(keys: readonly string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    for (const key of keys) {
      const previous = this.tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.tails.set(key, tail);
      releases.push(() => {
        release();
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      await previous;
    }
    return () => releases.forEach((r) => r());
  }
}

export interface GatewayLogger {
  debug(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

export interface GatewayStats {
  committed: number;
  aborted: number;
  failed: number;
  retries: number;
}

export interface CoreGatewayOptions {
  /** Retries of a transaction that hit a merge conflict (ABORTED). */
  readonly retries: number;
  /** How long a transaction that changed the index waits for its events to reach it (default 5 s). */
  readonly indexWaitMs?: number;
  readonly logger: GatewayLogger;
  readonly random?: () => number;
}

/**
 * The writes of every hosted adapter to core-config: `transaction(ops)` runs the operations in one
 * ConfigService transaction (OpenTransaction, the reads and writes with its txid, CommitTransaction
 * with the writer as origin) and retries the whole of it when the commit's merge conflicts (ABORTED).
 * A transaction that changed what the index holds (devices added, removed or re-parented, logical
 * devices and ports) resolves once the index has applied its commit: read-your-writes for the index
 * lookups (children by parent, devices by proxy address, logical port numbers).
 */
export class CoreGateway {
  public readonly stats: GatewayStats = { committed: 0, aborted: 0, failed: 0, retries: 0 };
  private readonly operations: AgentOperations;
  private readonly seqWaiters: { seq: number; resolve: () => void }[] = [];
  private readonly locks = new KeyedLocks();
  private released = false;

  public constructor(
    public readonly client: ConfigClient,
    public readonly index: TreeIndex,
    private readonly options: CoreGatewayOptions
  ) {
    this.operations = new AgentOperations(index);
  }

  public async transaction(operations: readonly AgentOperation[], origin: string): Promise<unknown[]> {
    const hot = hotNodesOf(operations);
    const release = hot.length > 0 ? await this.locks.acquire(hot) : undefined;
    try {
      return await this.attempts(operations, origin);
    } finally {
      release?.();
    }
  }

  private async attempts(
    operations: readonly AgentOperation[],
    origin: string,
    extra?: (ctx: TxContext) => Promise<void>
  ): Promise<unknown[]> {
    for (let attempt = 0; ; attempt++) {
      const txid = await this.client.openTransaction();
      const ctx = new TxContext(this.client, txid);
      let committed = false;
      try {
        const results: unknown[] = [];
        for (const run of independentRuns(operations)) {
          if (run.length === 1) results.push(await this.operations.apply(ctx, run[0]));
          else {
            await this.operations.prefetch(ctx, run);
            results.push(...(await mapLimit(run, PARALLEL_OPS, (op) => this.operations.apply(ctx, op))));
          }
        }
        if (extra) await extra(ctx);
        if (ctx.writes === 0 && operations.length === 0) {
          await this.client.cancelTransaction(txid);
          return results;
        }
        const r = await this.client.commitTransaction(txid, origin);
        committed = true;
        this.stats.committed++;
        if (ctx.changesIndex && r.seq > 0) await this.indexReached(r.seq);
        return results;
      } catch (error) {
        if (!committed) await this.client.cancelTransaction(txid).catch(() => undefined);
        if (isCoreCode(error, 'ABORTED') && attempt < this.options.retries) {
          this.stats.retries++;
          const ceiling = Math.min(1000, 10 * 2 ** attempt);
          const delay = ceiling / 2 + (this.options.random ?? Math.random)() * (ceiling / 2);
          this.options.logger.debug('transaction-conflict-retry', {
            origin,
            attempt: attempt + 1,
            retryInMs: Math.round(delay),
            error: (error as Error).message
          });
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        if (isCoreCode(error, 'ABORTED')) this.stats.aborted++;
        else this.stats.failed++;
        throw error;
      }
    }
  }

  /** Removes what still points at a device that someone else removed (one transaction, retried). */
  public async dropReferencesTo(device: Device, origin: string): Promise<void> {
    await this.attempts([], origin, (ctx) => this.operations.dropReferencesTo(ctx, device));
  }

  /** Called by the event consumer after it applied events up to `seq` to the index. */
  public indexAdvanced(seq: number): void {
    if (seq > this.index.seq) this.index.seq = seq;
    for (let i = this.seqWaiters.length - 1; i >= 0; i--) {
      const w = this.seqWaiters[i];
      if (w.seq <= this.index.seq) {
        this.seqWaiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Releases every waiter, and later ones at once (shutdown: no more events will come). */
  public releaseWaiters(): void {
    this.released = true;
    for (const w of this.seqWaiters.splice(0)) w.resolve();
  }

  /** Resolves once the index has applied `seq` (or after the wait limit, logged). */
  public indexReached(seq: number): Promise<void> {
    if (this.index.seq >= seq || this.released) return Promise.resolve();
    const limit = this.options.indexWaitMs ?? 5000;
    return new Promise<void>((resolve) => {
      const entry = {
        seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        const i = this.seqWaiters.indexOf(entry);
        if (i >= 0) this.seqWaiters.splice(i, 1);
        this.options.logger.warn('index-behind-commit', { seq, indexSeq: this.index.seq, waitedMs: limit });
        resolve();
      }, limit);
      this.seqWaiters.push(entry);
    });
  }
}
