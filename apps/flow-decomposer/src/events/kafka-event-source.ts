import { Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import type { Consumer, SeekEntry } from 'kafkajs';

import { parseChangeEvent } from '@voltha/kafka-events';

import { fromChangeEventRecord } from './change';
import type { ConfigChange } from './change';
import type { ChangeEventSource, ChangeSink, SourceLogger } from './event-source';

/**
 * Changes from the `voltha.events` topic that core-config publishes with `--kafka`. `prepare()`
 * takes the topic's end offsets before the state is read and `start()` seeks there, so nothing
 * committed after the read is missed (events in between are delivered again: the consumer is
 * idempotent). Order is per owning device (the message key), which is all the consumer needs.
 * A crashed consumer is reported as a gap (the service reconciles and starts again).
 */
export class KafkaEventSource implements ChangeEventSource {
  public readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private consumer: Consumer | undefined;
  private offsets: SeekEntry[] | undefined;
  private live = false;

  public constructor(
    brokers: readonly string[],
    private readonly topic: string,
    private readonly groupId: string,
    private readonly log: SourceLogger
  ) {
    this.kafka = new Kafka({
      clientId: groupId,
      brokers: [...brokers],
      logLevel: kafkaLogLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5_000 }
    });
  }

  public get connected(): boolean {
    return this.live;
  }

  public async prepare(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      this.offsets = topics.includes(this.topic)
        ? (await admin.fetchTopicOffsets(this.topic)).map(({ partition, offset }) => ({ partition, offset }))
        : undefined;
    } finally {
      await admin.disconnect();
    }
  }

  public async start(_fromSeq: number, sink: ChangeSink): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: true });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    consumer.on(consumer.events.CRASH, (e) => {
      if (this.consumer !== consumer) return;
      this.live = false;
      this.log.warn({ error: e.payload.error.message, restart: e.payload.restart }, 'kafka-consumer-crashed');
      if (!e.payload.restart) sink.gap(`kafka consumer crashed: ${e.payload.error.message}`);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.live = true;
      this.log.info({ topic: this.topic, groupId: this.groupId }, 'kafka-consumer-joined');
    });
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        const changes: ConfigChange[] = [];
        for (const m of batch.messages) {
          if (!m.value) continue;
          try {
            changes.push(fromChangeEventRecord(parseChangeEvent(m.value)));
          } catch (e) {
            this.log.warn({ offset: m.offset, error: (e as Error).message }, 'event-undecodable');
          }
          resolveOffset(m.offset);
        }
        if (changes.length > 0) sink.deliver(changes);
        await heartbeat();
      }
    });
    for (const o of this.offsets ?? [])
      consumer.seek({ topic: this.topic, partition: o.partition, offset: o.offset });
  }

  public pause(): void {
    this.consumer?.pause([{ topic: this.topic }]);
  }

  public resume(): void {
    this.consumer?.resume([{ topic: this.topic }]);
  }

  public async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    this.live = false;
    await c?.disconnect();
  }
}
