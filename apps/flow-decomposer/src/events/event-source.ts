import type { ConfigChange } from './change';

/** Where a source hands its changes. */
export interface ChangeSink {
  /** Changes in commit order (per owning device, for Kafka). */
  deliver(changes: readonly ConfigChange[]): void;
  /** Changes were lost (resume point no longer retained, consumer crashed): rebuild from a fresh read. */
  gap(reason: string): void;
}

/**
 * A stream of config-tree changes: ConfigService.Watch or the `voltha.events` Kafka topic. The
 * service calls `prepare()`, reads the state (whose seq is at least `fromSeq`), then `start(fromSeq)`:
 * every change committed after the read point is delivered (some earlier ones may be delivered
 * again; the consumer is idempotent).
 */
export interface ChangeEventSource {
  readonly kind: 'watch' | 'kafka';
  /** True while the source is connected and delivering. */
  readonly connected: boolean;
  /** Marks the resume point before the state is read (Kafka: the topic's end offsets). */
  prepare(): Promise<void>;
  start(fromSeq: number, sink: ChangeSink): Promise<void>;
  /** Flow control: the consumer's queue is full / drained. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export interface SourceLogger {
  info(fields: Record<string, unknown>, event: string): void;
  warn(fields: Record<string, unknown>, event: string): void;
}
