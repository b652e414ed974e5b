import type { UnknownMessage } from '@voltha/proto';

/** A committed change of core-config's tree, as a consumer service receives it. */
export interface SourcedEvent {
  readonly type: 'add' | 'remove' | 'update';
  /** Path of the changed node itself ('/devices/d1', '/logical_devices/ld1/flows/items/42'). */
  readonly path: string;
  /** Commit sequence number (events of one commit share it). */
  readonly seq: number;
  readonly typeName: string;
  /** The typed message: the added/updated data, or the removed node's data. */
  readonly message: UnknownMessage;
  /** Owning device / logical device id ('' outside them). */
  readonly key: string;
  /** Who made the change ('' when the writer did not say). */
  readonly origin: string;
  readonly hash: string;
  readonly rootHash: string;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface EventSourceHandlers {
  /**
   * A batch of events in commit order (per key for Kafka). The next batch is delivered only after
   * the returned promise settles; a rejection is logged and the batch is not retried (consumers
   * are expected to reconcile on their own failures).
   */
  onBatch(events: readonly SourcedEvent[]): Promise<void>;
  /**
   * Events may have been missed (first start, events no longer retained after a long disconnect):
   * re-read the state. Events that arrive meanwhile are buffered and delivered afterwards, so a
   * consumer sees everything after its resync (possibly twice: consumers are idempotent).
   * It may resolve with the commit seq its read is at least as new as: the Watch source then
   * (re)opens its stream from there, so nothing committed after the read can be missed.
   */
  onResync(reason: string): Promise<void | number>;
}

/** Where a service's change events come from: core-config's Watch stream or Kafka. */
export interface ChangeEventSource {
  readonly kind: 'watch' | 'kafka';
  start(handlers: EventSourceHandlers): Promise<void>;
  stop(): Promise<void>;
  /** Highest seq delivered so far (0 before the first event). */
  readonly lastSeq: number;
}

export interface EventSourceLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

export const noopEventSourceLogger: EventSourceLogger = { info: () => undefined, warn: () => undefined };

/**
 * Collects events and hands them to the consumer in batches, one batch at a time, in arrival order.
 * A resync request is served before the events that arrived after it.
 */
export class BatchPump {
  private buffer: SourcedEvent[] = [];
  private resyncs: string[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  public lastSeq = 0;
  /** The seq the consumer's last resync read was at (0: it did not say). */
  public resyncSeq = 0;

  public constructor(
    private readonly handlers: EventSourceHandlers,
    private readonly options: { batchMax: number; batchWaitMs: number; logger: EventSourceLogger },
    private readonly onDrained?: () => void,
    private readonly onResynced?: (seq: number) => void
  ) {}

  public get backlog(): number {
    return this.buffer.length;
  }

  public push(event: SourcedEvent): void {
    if (this.stopped) return;
    this.buffer.push(event);
    this.schedule();
  }

  public resync(reason: string): void {
    if (this.stopped) return;
    // Everything buffered so far predates the resync: the resync covers it.
    this.buffer = [];
    this.resyncs.push(reason);
    this.schedule(true);
  }

  public stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(now = false): void {
    if (this.running || this.timer) return;
    const wait = now || this.buffer.length >= this.options.batchMax ? 0 : this.options.batchWaitMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped && (this.resyncs.length > 0 || this.buffer.length > 0)) {
        if (this.resyncs.length > 0) {
          const reason = this.resyncs.splice(0).join('; ');
          try {
            const seq = await this.handlers.onResync(reason);
            if (typeof seq === 'number' && seq >= 0) {
              this.resyncSeq = seq;
              this.onResynced?.(seq);
            }
          } catch (e) {
            this.options.logger.warn('event-resync-failed', { reason, error: (e as Error).message });
          }
          continue;
        }
        const batch = this.buffer.splice(0, this.options.batchMax);
        try {
          await this.handlers.onBatch(batch);
        } catch (e) {
          this.options.logger.warn('event-batch-failed', {
            events: batch.length,
            error: (e as Error).message
          });
        }
        this.lastSeq = Math.max(this.lastSeq, batch[batch.length - 1].seq);
      }
    } finally {
      this.running = false;
      if (!this.stopped && (this.buffer.length > 0 || this.resyncs.length > 0)) this.schedule();
      this.onDrained?.();
    }
  }
}
