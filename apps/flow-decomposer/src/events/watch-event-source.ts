import { status } from '@grpc/grpc-js';

import type { CoreApi, WatchStream, WireConfigEvent } from '../core/core-client';
import { grpcCode } from '../core/core-client';
import { fromWatchEvent } from './change';
import type { ConfigChange } from './change';
import type { ChangeEventSource, ChangeSink, SourceLogger } from './event-source';

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

/**
 * Changes from ConfigService.Watch. Resumes after a broken stream from the last commit it saw (that
 * commit's events are delivered again, so a commit cut in the middle is never half applied); when
 * core-config no longer retains the events after that point (FAILED_PRECONDITION) it reports a gap.
 */
export class WatchEventSource implements ChangeEventSource {
  public readonly kind = 'watch';
  private stream: WatchStream | undefined;
  private sink: ChangeSink | undefined;
  private startSeq = 0;
  private lastSeq = 0;
  private stopped = true;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private live = false;
  /** Events of the stream being read, delivered together at the end of the I/O turn. */
  private pending: ConfigChange[] = [];
  private flushScheduled = false;

  public constructor(
    private readonly core: CoreApi,
    private readonly log: SourceLogger,
    private readonly pathPrefix = ''
  ) {}

  public get connected(): boolean {
    return this.live;
  }

  public async prepare(): Promise<void> {
    // Watch resumes by sequence number: nothing to mark.
  }

  public async start(fromSeq: number, sink: ChangeSink): Promise<void> {
    this.sink = sink;
    this.startSeq = fromSeq;
    this.lastSeq = fromSeq;
    this.stopped = false;
    this.open();
  }

  public pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  public resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
    this.pending = [];
  }

  /** Where a new stream starts: the commit before the last one seen (re-delivers it whole). */
  private resumePoint(): number {
    return this.lastSeq > this.startSeq ? this.lastSeq - 1 : this.startSeq;
  }

  private open(): void {
    if (this.stopped) return;
    const from = this.resumePoint();
    const stream = this.core.watch(this.pathPrefix, from);
    this.stream = stream;
    if (this.paused) stream.pause();
    let closed = false;
    const close = (reason: 'error' | 'end', e?: unknown): void => {
      if (closed || this.stream !== stream) return;
      closed = true;
      this.stream = undefined;
      this.live = false;
      this.flush();
      if (this.stopped) return;
      if (reason === 'error' && grpcCode(e) === status.FAILED_PRECONDITION) {
        this.log.warn({ fromSeq: from, error: (e as Error).message }, 'watch-gap');
        this.stopped = true;
        this.sink?.gap((e as Error).message);
        return;
      }
      this.log.warn(
        { reason, error: e instanceof Error ? e.message : undefined, retryInMs: this.backoffMs },
        'watch-interrupted'
      );
      this.timer = setTimeout(() => this.open(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    };
    stream.on('metadata', () => this.markLive(from));
    stream.on('data', (e: WireConfigEvent) => {
      if (this.stream !== stream) return;
      this.markLive(from);
      let change: ConfigChange;
      try {
        change = fromWatchEvent(e);
      } catch (err) {
        this.log.warn({ seq: e.seq, path: e.path, error: (err as Error).message }, 'event-undecodable');
        return;
      }
      if (change.seq > this.lastSeq) this.lastSeq = change.seq;
      this.pending.push(change);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
    stream.on('error', (e: unknown) => close('error', e));
    stream.on('end', () => close('end'));
  }

  private markLive(from: number): void {
    if (this.live) return;
    this.live = true;
    this.backoffMs = MIN_BACKOFF_MS;
    this.log.info({ fromSeq: from }, 'watch-connected');
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.sink?.deliver(batch);
  }
}
