import type { Message, Producer } from 'kafkajs';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
}

export interface PublisherStats {
  /** Messages accepted but not yet acknowledged by Kafka. */
  pending: number;
  /** Messages acknowledged by Kafka. */
  published: number;
  /** Failed send attempts (each is retried; nothing is dropped). */
  failedAttempts: number;
  /** Message of the last send failure, cleared by the next success. */
  lastError?: string;
}

export interface ReliablePublisherOptions {
  /** Largest number of messages sent in one request. */
  maxBatch?: number;
  /** First retry delay; doubles per consecutive failure up to maxBackoffMs, with full jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Called after every failed attempt, e.g. to log it. */
  onError?: (error: Error, stats: PublisherStats) => void;
  random?: () => number;
}

/**
 * Sends messages to Kafka in the order they were accepted, in batches, one request at a time (so
 * the order per key holds across retries). A failed batch is retried with exponential backoff and
 * jitter until it succeeds or the publisher is stopped; nothing is dropped silently: the pending and
 * failed counts are always available for health and metrics.
 */
export class ReliablePublisher {
  private readonly queue: OutgoingMessage[] = [];
  private head = 0;
  private sending = false;
  private stopped = false;
  private consecutiveFailures = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  private readonly stats: PublisherStats = { pending: 0, published: 0, failedAttempts: 0 };
  private readonly maxBatch: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  public constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    private readonly options: ReliablePublisherOptions = {}
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  public publish(messages: OutgoingMessage[]): void {
    if (this.stopped) throw new Error('publisher is stopped');
    if (messages.length === 0) return;
    for (const m of messages) this.queue.push(m);
    this.stats.pending += messages.length;
    this.kick();
  }

  public getStats(): PublisherStats {
    return { ...this.stats };
  }

  /** Resolves when everything accepted so far is acknowledged (or rejects after timeoutMs). */
  public async flush(timeoutMs: number): Promise<void> {
    if (this.stats.pending === 0) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`${this.stats.pending} event(s) still unpublished after ${timeoutMs} ms`)),
        timeoutMs
      );
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Stops retrying; returns the number of messages that were never acknowledged. */
  public stop(): number {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.stats.pending;
  }

  private kick(): void {
    if (this.sending || this.timer || this.stopped || this.head >= this.queue.length) return;
    this.sending = true;
    void this.sendNext();
  }

  private async sendNext(): Promise<void> {
    const batch = this.queue.slice(this.head, this.head + this.maxBatch);
    const byTopic = new Map<string, Message[]>();
    for (const m of batch) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key || null, value: m.value });
      byTopic.set(m.topic, list);
    }
    try {
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages }))
      });
      this.head += batch.length;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.stats.pending -= batch.length;
      this.stats.published += batch.length;
      this.stats.lastError = undefined;
      this.consecutiveFailures = 0;
      this.sending = false;
      if (this.stats.pending === 0) this.idleWaiters.splice(0).forEach((w) => w());
      this.kick();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.stats.failedAttempts++;
      this.stats.lastError = error.message;
      this.consecutiveFailures++;
      this.sending = false;
      this.options.onError?.(error, this.getStats());
      if (this.stopped) return;
      const ceiling = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** (this.consecutiveFailures - 1));
      const delay = Math.max(this.minBackoffMs / 2, (this.options.random ?? Math.random)() * ceiling);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, delay);
    }
  }
}
