import { Kafka, logLevel } from 'kafkajs';

import { startKafkaMock, type KafkaMock } from './kafka-mock';

describe('startKafkaMock', () => {
  let mock: KafkaMock | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch(() => undefined);
    }
    await mock?.stop();
  });

  it('should start a mock cluster that kafkajs can produce to and consume from in a group', async () => {
    mock = await startKafkaMock({ brokers: 3 });
    expect(mock.brokers).toHaveLength(3);
    expect(mock.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$/);

    const kafka = new Kafka({
      clientId: 'mock-test',
      brokers: [...mock.brokers],
      logLevel: logLevel.NOTHING
    });
    const topic = `voltha.test.${Date.now()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    // The first produce creates the topic (auto-creation on metadata request).
    await producer.send({ topic, messages: [{ key: 'k1', value: 'first' }] });

    const consumer = kafka.consumer({ groupId: `group-${Date.now()}` });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    const gotBoth = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
          if (received.length >= 2) resolve();
        }
      });
    });
    await producer.send({ topic, messages: [{ key: 'k2', value: 'second' }] });
    await gotBoth;
    expect(received.sort()).toEqual(['first', 'second']);
  });

  it('should fail clearly when kcat is missing', async () => {
    await expect(startKafkaMock({ kcat: '/nonexistent/kcat', startTimeoutMs: 5000 })).rejects.toThrow(
      /kafka mock/
    );
  });
});
