import { credentials, loadPackageDefinition, status } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { fromAny, GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';
import type { AnyLike } from '@voltha/proto';

import { BatchPump, noopEventSourceLogger } from './event-source';
import type { ChangeEventSource, EventSourceHandlers, EventSourceLogger, SourcedEvent } from './event-source';

export interface WatchEventSourceOptions {
  /** core-config's gRPC address (host:port). */
  address: string;
  /** Only events under this path prefix ('' for all). */
  pathPrefix?: string;
  /** Largest batch delivered at once (default 1000) and how long to wait to fill one (default 5 ms). */
  batchMax?: number;
  batchWaitMs?: number;
  /** Reconnect backoff (ms). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Pause reading when this many events are waiting (default 20000). */
  highWater?: number;
  /**
   * After a resync at seq 0 (nothing ever committed; a live stream cannot prove it missed nothing
   * until its first event), how often to read again (default 1000 ms).
   */
  emptyHistoryRecheckMs?: number;
  logger?: EventSourceLogger;
}

interface WireEvent {
  type: number;
  hash: string;
  path: string;
  rootHash: string;
  seq: string;
  timestamp?: { seconds: string; nanos: number };
  message?: AnyLike;
  key: string;
  origin: string;
}

const TYPES = ['add', 'remove', 'update'] as const;

export function decodeWatchEvent(e: WireEvent): SourcedEvent {
  if (!e.message) throw new Error(`event ${e.seq} ${e.path} carries no message`);
  const message = fromAny(e.message);
  return {
    type: TYPES[e.type] ?? 'update',
    path: e.path,
    seq: Number(e.seq),
    typeName: message.$type,
    message,
    key: e.key,
    origin: e.origin,
    hash: e.hash,
    rootHash: e.rootHash,
    timestamp: e.timestamp ? Number(e.timestamp.seconds) * 1000 + Math.floor(e.timestamp.nanos / 1e6) : 0
  };
}

/**
 * Change events from core-config's ConfigService.Watch stream. It reconnects with backoff and
 * resumes after the last delivered seq; when core-config no longer retains those events (or at the
 * first start) the consumer is asked to resync while live events are buffered.
 */
export class WatchEventSource implements ChangeEventSource {
  public readonly kind = 'watch' as const;
  private client: Client | undefined;
  private call: ClientReadableStream<WireEvent> | undefined;
  private pump: BatchPump | undefined;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Seq of the first event of the current stream, and the highest it may be (see reopen). */
  private firstSeq: number | undefined;
  private expectFirstSeq: number | undefined;
  private resyncedAtZero = false;
  private zeroTimer: NodeJS.Timeout | undefined;
  private readonly logger: EventSourceLogger;

  public constructor(private readonly options: WatchEventSourceOptions) {
    this.logger = options.logger ?? noopEventSourceLogger;
  }

  public get lastSeq(): number {
    return this.pump?.lastSeq ?? 0;
  }

  public async start(handlers: EventSourceHandlers): Promise<void> {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: { ConfigService: new (address: string, creds: unknown) => Client };
    };
    this.client = new pkg.voltha.ConfigService(this.options.address, credentials.createInsecure());
    this.pump = new BatchPump(
      handlers,
      {
        batchMax: this.options.batchMax ?? 1000,
        batchWaitMs: this.options.batchWaitMs ?? 5,
        logger: this.logger
      },
      () => this.call?.isPaused() && this.call.resume(),
      // The stream opened before the read may have registered after it: watch again from the read.
      (seq) => this.reopen(seq)
    );
    this.open(0);
    this.pump.resync('start');
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.zeroTimer) clearTimeout(this.zeroTimer);
    this.pump?.stop();
    this.call?.cancel();
    this.client?.close();
  }

  /**
   * Where a new stream starts: after the consumer's last resync read, and no later than the commit
   * before the last one delivered (a commit split over two batches is delivered again, whole).
   */
  private resumePoint(): number {
    const delivered = this.pump?.lastSeq ?? 0;
    return Math.max(this.pump?.resyncSeq ?? 0, delivered > 1 ? delivered - 1 : delivered);
  }

  private reopen(seq: number): void {
    if (this.stopped) return;
    this.resyncedAtZero = seq === 0;
    if (this.zeroTimer) clearTimeout(this.zeroTimer);
    this.zeroTimer = undefined;
    if (seq === 0) {
      // The read saw an empty history and from_seq 0 means "live only": the stream's first event
      // must then be commit 1, or commits between the read and the stream were missed. Until an
      // event proves it, read again now and then: once a read is at seq > 0, watch from there.
      if (this.firstSeq === undefined) {
        this.expectFirstSeq = 1;
        this.zeroTimer = setTimeout(() => {
          this.zeroTimer = undefined;
          if (!this.stopped && this.resyncedAtZero) this.pump?.resync('read again after an empty history');
        }, this.options.emptyHistoryRecheckMs ?? 1000);
      } else if (this.firstSeq > 1) this.resyncOnce();
      return;
    }
    if (this.reconnectTimer) return; // the reconnect starts from resumePoint()
    const previous = this.call;
    this.open(Math.max(seq, this.resumePoint()));
    previous?.cancel();
  }

  /** Resync for what the current stream may have missed before it started (once per stream). */
  private resyncOnce(): void {
    this.firstSeq = 0;
    this.pump?.resync('events before the watch may be lost');
  }

  private open(fromSeq: number): void {
    if (this.stopped || !this.client) return;
    const watch = (this.client as unknown as Record<string, (r: unknown) => ClientReadableStream<WireEvent>>)[
      'Watch'
    ];
    const call = watch.call(this.client, {
      pathPrefix: this.options.pathPrefix ?? '',
      fromSeq: String(fromSeq)
    });
    this.call = call;
    this.firstSeq = undefined;
    // Live only after a read at seq 0: the first event must be commit 1 (see reopen).
    this.expectFirstSeq = fromSeq === 0 && this.resyncedAtZero ? 1 : undefined;
    let connected = false;
    call.on('data', (e: WireEvent) => {
      if (this.call === call && this.firstSeq === undefined) {
        this.firstSeq = Number(e.seq);
        if (this.zeroTimer) clearTimeout(this.zeroTimer);
        this.zeroTimer = undefined;
        if (this.expectFirstSeq !== undefined && this.firstSeq > this.expectFirstSeq) this.resyncOnce();
        this.expectFirstSeq = undefined;
      }
      if (!connected) {
        connected = true;
        if (this.failures > 0) this.logger.info('watch-reconnected', { fromSeq });
        this.failures = 0;
      }
      try {
        this.pump?.push(decodeWatchEvent(e));
      } catch (err) {
        this.logger.warn('watch-event-undecodable', { error: (err as Error).message, path: e.path });
      }
      if ((this.pump?.backlog ?? 0) > (this.options.highWater ?? 20_000)) call.pause();
    });
    call.on('metadata', () => {
      connected = true;
    });
    call.on('error', (err: ServiceError) => {
      if (this.stopped || err.code === status.CANCELLED || this.call !== call) return;
      if (err.code === status.FAILED_PRECONDITION) {
        this.logger.warn('watch-events-lost', { error: err.details });
        this.pump?.resync(`events lost: ${err.details}`);
        this.resyncedAtZero = false; // the resync just asked for covers the new stream's start
        this.open(0);
        return;
      }
      this.retry(err.details || err.message);
    });
    call.on('end', () => {
      if (!this.stopped && this.call === call) this.retry('stream ended');
    });
  }

  private retry(reason: string): void {
    if (this.stopped || this.reconnectTimer) return;
    this.failures++;
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5000;
    const ceiling = Math.min(max, min * 2 ** Math.min(this.failures - 1, 16));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.logger.warn('watch-disconnected', { reason, retryInMs: Math.round(delay) });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open(this.resumePoint());
    }, delay);
  }
}
