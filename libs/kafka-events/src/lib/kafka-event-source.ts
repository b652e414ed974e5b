import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';

import { fromJsonWithDefaults } from '@voltha/proto';

import { parseChangeEvent } from './change-event';
import { BatchPump, noopEventSourceLogger } from './event-source';
import type { ChangeEventSource, EventSourceHandlers, EventSourceLogger, SourcedEvent } from './event-source';
import { KAFKA_TOPICS } from './topics';

export interface KafkaEventSourceOptions {
  brokers: string[];
  /** Consumer group (one per service: instances of a service share the work). */
  groupId: string;
  clientId?: string;
  topic?: string;
  /** Only events under these path prefixes (default: all). */
  pathPrefixes?: string[];
  batchMax?: number;
  batchWaitMs?: number;
  /**
   * A group without committed offsets starts at the oldest retained event instead of the newest, so
   * nothing committed between the consumer's resync read and its first fetch is missed (the consumer
   * skips what its read already covers, by seq).
   */
  fromBeginning?: boolean;
  /** Longest a fetch waits for new events (kafkajs default 5000; brokers that do not answer early need less). */
  maxWaitTimeInMs?: number;
  logger?: EventSourceLogger;
}

/**
 * Change events from the Kafka topic voltha.events (kafkajs consumer group). Order holds per device
 * (events are keyed by device id). The consumer resyncs at start; offsets are committed after each
 * batch was handed over.
 */
export class KafkaEventSource implements ChangeEventSource {
  public readonly kind = 'kafka' as const;
  private consumer: Consumer | undefined;
  private pump: BatchPump | undefined;
  private readonly logger: EventSourceLogger;

  public constructor(private readonly options: KafkaEventSourceOptions) {
    this.logger = options.logger ?? noopEventSourceLogger;
  }

  public get lastSeq(): number {
    return this.pump?.lastSeq ?? 0;
  }

  public async start(handlers: EventSourceHandlers): Promise<void> {
    const kafka = new Kafka({
      clientId: this.options.clientId ?? this.options.groupId,
      brokers: this.options.brokers,
      logLevel: logLevel.NOTHING
    });
    this.pump = new BatchPump(handlers, {
      batchMax: this.options.batchMax ?? 1000,
      batchWaitMs: this.options.batchWaitMs ?? 5,
      logger: this.logger
    });
    this.consumer = kafka.consumer({
      groupId: this.options.groupId,
      ...(this.options.maxWaitTimeInMs !== undefined ? { maxWaitTimeInMs: this.options.maxWaitTimeInMs } : {})
    });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topic: this.options.topic ?? KAFKA_TOPICS.events,
      fromBeginning: this.options.fromBeginning ?? false
    });
    this.pump.resync('start');
    const prefixes = this.options.pathPrefixes;
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        if (!message.value) return;
        try {
          const r = parseChangeEvent(message.value);
          if (prefixes && !prefixes.some((p) => r.path.startsWith(p))) return;
          const event: SourcedEvent = {
            type: r.type,
            path: r.path,
            seq: Number(r.seq),
            typeName: r.type_name,
            message: fromJsonWithDefaults(r.type_name, JSON.parse(r.data)),
            key: r.key,
            origin: r.origin,
            hash: r.hash,
            rootHash: r.root_hash,
            timestamp: Date.parse(r.timestamp)
          };
          this.pump?.push(event);
        } catch (e) {
          this.logger.warn('kafka-event-undecodable', { error: (e as Error).message });
        }
      }
    });
  }

  public async stop(): Promise<void> {
    this.pump?.stop();
    await this.consumer?.disconnect();
  }
}
