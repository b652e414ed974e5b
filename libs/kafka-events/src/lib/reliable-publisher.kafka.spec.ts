import { Kafka, logLevel } from 'kafkajs';

import { startKafkaMock } from '@voltha/testing';
import type { KafkaMock } from '@voltha/testing';

import { ReliablePublisher } from './reliable-publisher';
import { KAFKA_TOPICS } from './topics';

describe('ReliablePublisher against a Kafka-protocol broker (librdkafka mock cluster)', () => {
  let mock: KafkaMock;

  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 3 });
  });

  afterAll(async () => {
    await mock?.stop();
  });

  it('should deliver keyed events that a consumer group reads in per-key order', async () => {
    const kafka = new Kafka({
      clientId: 'publisher-test',
      brokers: [...mock.brokers],
      logLevel: logLevel.NOTHING
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: `g-${Date.now()}` });
    try {
      const publisher = new ReliablePublisher(producer, { maxBatch: 7 });
      const keys = ['d1', 'd2', 'd3'];
      const sent = Array.from({ length: 60 }, (_, i) => ({
        topic: KAFKA_TOPICS.events,
        key: keys[i % 3],
        value: JSON.stringify({ key: keys[i % 3], n: i })
      }));
      publisher.publish(sent.slice(0, 30));
      publisher.publish(sent.slice(30));
      await publisher.flush(15000);
      expect(publisher.getStats()).toMatchObject({ pending: 0, published: 60 });

      await consumer.connect();
      await consumer.subscribe({ topic: KAFKA_TOPICS.events, fromBeginning: true });
      const received: Array<{ key: string; n: number }> = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            const v = JSON.parse(String(message.value)) as { key: string; n: number };
            expect(String(message.key)).toBe(v.key);
            received.push(v);
            if (received.length === sent.length) resolve();
          }
        });
      });
      for (const key of keys) {
        const ns = received.filter((r) => r.key === key).map((r) => r.n);
        expect(ns).toEqual([...ns].sort((a, b) => a - b));
        expect(ns).toHaveLength(20);
      }
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
