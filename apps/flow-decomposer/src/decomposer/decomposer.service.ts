import { performance } from 'node:perf_hooks';

import { status } from '@grpc/grpc-js';
import type { Logger as Pino } from 'pino';

import type { ChangeEventSource, SourcedEvent } from '@voltha/kafka-events';
import type { Device, LogicalDevice, UnknownMessage } from '@voltha/proto';

import type { CoreApi } from '../core/core-client';
import { grpcCode, isUnavailable, ORIGIN } from '../core/core-client';
import { DecomposerState, PendingWrites } from './decomposer-state';
import type { FlowFailure, WriteOp } from './decomposer-state';
import type { DecomposerMetrics } from './metrics';

export interface DecomposerOptions {
  /** Writes in flight inside one transaction. */
  readonly writeConcurrency: number;
  /** Shortest time from one batch to the next after a batch that wrote, ms. */
  readonly batchWaitMs: number;
}

export interface DecomposerStatsView {
  logicalDevices: number;
  logicalFlows: number;
  deviceFlows: number;
  failedFlows: number;
  eventsProcessed: number;
  batchesWritten: number;
  reconciles: number;
  lastSeq: number;
  eventSource: string;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;
/** Attempts of one batch's writes (re-reading the devices' tables in between) before a full reconcile. */
const WRITE_ATTEMPTS = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function relevant(path: string): boolean {
  return path.startsWith('/logical_devices/') || path.startsWith('/devices/');
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error. */
async function limited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

const detailsOf = (e: unknown): string =>
  String((e as { details?: unknown }).details ?? (e as Error).message);

/**
 * The flow-decomposer's work loop. The event source hands over batches of change events (whatever
 * arrived within a few ms, bounded); each batch updates the per-logical-device engines, and the
 * resulting device-table changes are compared with what the devices hold and written in one
 * ConfigService transaction. Full reconciles (at start, after a gap in the events, on request)
 * run on the same serial lane, so nothing interleaves with a batch.
 */
export class DecomposerService {
  public readonly state = new DecomposerState();
  private lane: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private syncedOnce = false;
  private retryTimer: NodeJS.Timeout | undefined;
  public eventsProcessed = 0;
  public echoesIgnored = 0;
  public batchesWritten = 0;
  public reconciles = 0;
  public lastSeq = 0;

  public constructor(
    private readonly core: CoreApi,
    private readonly source: ChangeEventSource,
    private readonly options: DecomposerOptions,
    private readonly log: Pino,
    private readonly metrics?: DecomposerMetrics
  ) {}

  /**
   * Starts following the events. The source asks for a resync first: core-config is waited for
   * (with backoff), everything is reconciled, then the events after that read are applied.
   */
  public async start(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      try {
        await this.source.start({
          onBatch: (events) => this.onBatch(events),
          onResync: (reason) => this.exclusive(() => this.sync(reason))
        });
        return;
      } catch (e) {
        // e.g. no Kafka broker yet: start again later
        await this.source.stop().catch(() => undefined);
        if (this.stopped) return;
        this.metrics?.probe('events', 'preparing', (e as Error).message);
        this.log.warn({ error: (e as Error).message, retryInMs: backoff }, 'event-source-start-failed');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  public async stop(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.source.stop().catch(() => undefined);
    // Let the batch in progress finish its write (bounded).
    await Promise.race([this.lane.catch(() => undefined), sleep(timeoutMs)]);
  }

  public stats(): DecomposerStatsView {
    return {
      logicalDevices: this.state.logicalDeviceIds.length,
      logicalFlows: this.state.logicalFlowCount,
      deviceFlows: this.state.deviceFlowCount,
      failedFlows: this.state.failedFlowCount,
      eventsProcessed: this.eventsProcessed,
      batchesWritten: this.batchesWritten,
      reconciles: this.reconciles,
      lastSeq: this.lastSeq,
      eventSource: this.source.kind
    };
  }

  /** Full reconcile of one logical device or of all of them (the Reconcile RPC). */
  public reconcile(logicalDeviceId?: string): Promise<void> {
    return this.exclusive(() =>
      this.reconcileNow(logicalDeviceId || undefined, 'request').then(() => undefined)
    );
  }

  // ----------------------------------------------------------------------------------------------

  /** Runs jobs one at a time (batches and reconciles never interleave). */
  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.lane.then(job, job);
    this.lane = run.catch(() => undefined);
    return run;
  }

  /**
   * A full reconcile, retried with backoff until core-config answers (a resync is never given up).
   * Resolves with the seq the read is at least as new as: the source follows the events after it.
   */
  private async sync(reason: string): Promise<number | void> {
    let backoff = MIN_BACKOFF_MS;
    for (;;) {
      if (this.stopped) return;
      try {
        const seq = await this.reconcileNow(undefined, reason);
        this.lastSeq = Math.max(this.lastSeq, seq);
        if (!this.syncedOnce) this.log.info({ reason, seq, source: this.source.kind }, 'following-events');
        this.syncedOnce = true;
        this.metrics?.probe('events', 'running');
        return seq;
      } catch (e) {
        if (this.stopped) return;
        this.metrics?.probe('core', 'preparing', (e as Error).message);
        this.log.warn(
          { reason, error: (e as Error).message, retryInMs: backoff },
          isUnavailable(e) ? 'waiting-for-core' : 'sync-failed'
        );
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /**
   * One batch from the source. After a batch that wrote, the next one waits for the rest of
   * `batchWaitMs`: under load every transaction then carries what arrived meanwhile, which keeps the
   * number of commits (and core-config's share of the CPU) down.
   */
  private async onBatch(events: readonly SourcedEvent[]): Promise<void> {
    const t0 = performance.now();
    const wrote = await this.exclusive(() => this.processBatch(events));
    const rest = this.options.batchWaitMs - (performance.now() - t0);
    if (wrote > 0 && rest > 0 && !this.stopped) await sleep(rest);
  }

  private async processBatch(events: readonly SourcedEvent[]): Promise<number> {
    if (this.stopped) return 0;
    const batch: SourcedEvent[] = [];
    for (const e of events) {
      if (e.origin === ORIGIN) this.echoesIgnored++;
      else if (relevant(e.path)) batch.push(e);
    }
    if (batch.length === 0) return 0;
    const t0 = performance.now();
    const out = new PendingWrites();
    let broken = false;
    let last: SourcedEvent | undefined;
    for (const c of batch) {
      try {
        this.state.apply(c, out);
      } catch (e) {
        broken = true;
        this.log.error({ seq: c.seq, path: c.path, error: (e as Error).message }, 'event-apply-failed');
      }
      last = c;
      if (c.seq > this.lastSeq) this.lastSeq = c.seq;
    }
    this.eventsProcessed += batch.length;
    this.metrics?.eventsProcessed.inc(batch.length);
    if (last) this.metrics?.lagSeconds.set(Math.max(0, (Date.now() - last.timestamp) / 1000));
    // What the batch ends with: a flow failing only in the middle of it (e.g. its group went
    // before the flow in one commit) is not reported.
    this.report(
      out.failed.filter((f) => this.state.isFailing(f.logicalDeviceId, f.flowId, f.error)),
      out.recovered.filter((r) => !this.state.isFailing(r.logicalDeviceId, r.flowId))
    );
    const written = await this.writeOrReconcile(out);
    for (const ld of out.reconcile) if (!broken) await this.reconcileNow(ld, 'unfollowable-change');
    if (broken) await this.reconcileNow(undefined, 'event-apply-failed');
    this.log.debug(
      { events: batch.length, writes: written, ms: Math.round(performance.now() - t0) },
      'batch-done'
    );
    return written;
  }

  /** Writes; when that keeps failing, falls back to a full reconcile (retried later if that fails too). */
  private async writeOrReconcile(out: PendingWrites): Promise<number> {
    try {
      return await this.write(out);
    } catch (e) {
      if (this.stopped) return 0;
      this.log.error({ error: (e as Error).message }, 'write-abandoned-reconciling');
      try {
        await this.reconcileNow(undefined, 'write-failed');
      } catch (e2) {
        this.log.error({ error: (e2 as Error).message }, 'reconcile-failed-retrying-later');
        this.scheduleRetry();
      }
      return 0;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.exclusive(() => this.reconcileNow(undefined, 'retry')).catch((e: Error) => {
        this.log.error({ error: e.message }, 'reconcile-failed-retrying-later');
        this.scheduleRetry();
      });
    }, MAX_BACKOFF_MS);
  }

  private report(
    failed: readonly FlowFailure[],
    recovered: readonly { logicalDeviceId: string; flowId: string }[]
  ): void {
    for (const f of failed) {
      this.metrics?.flowFailures.inc({ reason: f.error.reason });
      this.log.warn(
        {
          logicalDeviceId: f.logicalDeviceId,
          flowId: f.flowId,
          reason: f.error.reason,
          error: f.error.message
        },
        'flow-decomposition-failed'
      );
    }
    for (const r of recovered) {
      this.metrics?.flowRecoveries.inc();
      this.log.info({ logicalDeviceId: r.logicalDeviceId, flowId: r.flowId }, 'flow-decomposition-recovered');
    }
  }

  /**
   * Reads the state from core-config and rebuilds (everything, or one logical device), then writes
   * the differences. Returns the seq the read is at least as new as.
   */
  private async reconcileNow(logicalDeviceId: string | undefined, reason: string): Promise<number> {
    const t0 = performance.now();
    const seq = await this.core.currentSeq();
    this.metrics?.probe('core', 'running');
    const devices = (await this.core.get('/devices', -1)) as Device[];
    let out: PendingWrites;
    if (logicalDeviceId === undefined) {
      const lds = (await this.core.get('/logical_devices', -1)) as LogicalDevice[];
      out = this.state.load(lds, devices, seq);
    } else {
      const ld = await this.core.get(`/logical_devices/${logicalDeviceId}`, -1).catch((e: unknown) => {
        if (grpcCode(e) === status.NOT_FOUND) return undefined;
        throw e;
      });
      out = ld
        ? this.state.load([ld as LogicalDevice], devices, seq, logicalDeviceId)
        : this.state.forget(logicalDeviceId);
    }
    this.report(out.failed, out.recovered);
    const written = await this.write(out);
    this.reconciles++;
    this.metrics?.reconciles.inc();
    this.log.info(
      {
        reason,
        logicalDeviceId,
        seq,
        logicalDevices: this.state.logicalDeviceIds.length,
        logicalFlows: this.state.logicalFlowCount,
        failedFlows: this.state.failedFlowCount,
        writes: written,
        ms: Math.round(performance.now() - t0)
      },
      'reconciled'
    );
    return seq;
  }

  /**
   * Writes what `pending` asks for and the devices lack, in one transaction. Waits (with backoff)
   * while core-config is unreachable; on other failures re-reads the tables of the devices involved
   * and tries again, then gives up (the caller reconciles).
   */
  private async write(pending: PendingWrites): Promise<number> {
    let backoff = MIN_BACKOFF_MS;
    let attempts = 0;
    for (;;) {
      const ops = this.state.plan(pending);
      if (ops.length === 0) return 0;
      const t0 = performance.now();
      try {
        const seq = await this.execute(ops);
        this.state.commit(ops, seq);
        this.batchesWritten++;
        this.metrics?.batchesWritten.inc();
        this.metrics?.writeSeconds.observe((performance.now() - t0) / 1000);
        for (const op of ops) this.metrics?.writes.inc({ op: op.kind });
        return ops.length;
      } catch (e) {
        if (this.stopped) throw e;
        if (isUnavailable(e)) {
          this.log.warn({ error: (e as Error).message, retryInMs: backoff }, 'write-waiting-for-core');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        attempts++;
        this.metrics?.writeFailures.inc();
        this.log.warn(
          { error: detailsOf(e), code: grpcCode(e), attempt: attempts, ops: ops.length },
          'write-failed'
        );
        if (attempts >= WRITE_ATTEMPTS) throw e;
        await this.refreshDevices(new Set(ops.map((o) => o.deviceId)));
      }
    }
  }

  private async refreshDevices(ids: ReadonlySet<string>): Promise<void> {
    for (const id of ids) {
      const d = await this.core.get(`/devices/${id}`, -1).catch((e: unknown) => {
        if (grpcCode(e) === status.NOT_FOUND) return undefined;
        throw e;
      });
      this.state.refreshDeviceTables(id, d as Device | undefined);
    }
  }

  /** One transaction: removals, then additions and updates, then group tables. Returns its seq. */
  private async execute(ops: readonly WriteOp[]): Promise<number> {
    if (ops.length === 1) return this.run(ops[0]);
    const txid = await this.core.openTransaction();
    try {
      const limit = this.options.writeConcurrency;
      await limited(
        ops.filter((o) => o.kind === 'remove'),
        limit,
        async (o) => {
          await this.run(o, txid);
        }
      );
      await limited(
        ops.filter((o) => o.kind === 'add' || o.kind === 'update'),
        limit,
        async (o) => {
          await this.run(o, txid);
        }
      );
      await limited(
        ops.filter((o) => o.kind === 'groups'),
        limit,
        async (o) => {
          await this.run(o, txid);
        }
      );
      return await this.core.commitTransaction(txid);
    } catch (e) {
      await this.core.cancelTransaction(txid).catch(() => undefined);
      throw e;
    }
  }

  /** One write; resolves with its commit seq (outside a transaction; 0 when nothing changed). */
  private async run(op: WriteOp, txid?: string): Promise<number> {
    const base = `/devices/${op.deviceId}`;
    switch (op.kind) {
      case 'remove':
        // Removing an absent flow is not an error.
        return this.core.remove(`${base}/flows/items/${op.flowId}`, txid).catch((e: unknown) => {
          if (grpcCode(e) !== status.NOT_FOUND) throw e;
          return 0;
        });
      case 'add':
        return this.core.add(`${base}/flows/items`, op.flow, txid).catch((e: unknown) => {
          // Already there (an event we have not seen yet): write it in place instead.
          if (grpcCode(e) === status.INVALID_ARGUMENT && /duplicate key/i.test(detailsOf(e))) {
            return this.core.update(`${base}/flows/items/${op.flow.id}`, op.flow, txid);
          }
          throw e;
        });
      case 'update':
        return this.core.update(`${base}/flows/items/${op.flow.id}`, op.flow, txid);
      case 'groups':
        return this.core.update(
          `${base}/flow_groups`,
          { $type: 'openflow_13.FlowGroups', items: op.groups } as UnknownMessage,
          txid
        );
    }
  }
}
