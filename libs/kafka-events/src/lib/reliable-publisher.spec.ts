import type { ProducerBatch } from 'kafkajs';

import { ReliablePublisher } from './reliable-publisher';

class FlakyProducer {
  public readonly sent: Array<{ topic: string; key: string | null; value: string }> = [];
  public failuresLeft: number;
  public calls = 0;

  public constructor(failures: number) {
    this.failuresLeft = failures;
  }

  public async sendBatch(batch: ProducerBatch): Promise<never[]> {
    this.calls++;
    await new Promise((r) => setImmediate(r));
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('broker unavailable');
    }
    for (const tm of batch.topicMessages ?? []) {
      for (const m of tm.messages) {
        this.sent.push({ topic: tm.topic, key: m.key as string | null, value: String(m.value) });
      }
    }
    return [];
  }
}

const msg = (i: number, key = 'd1') => ({ topic: 'voltha.events', key, value: `{"n":${i}}` });

describe('ReliablePublisher', () => {
  it('should deliver every message in order, in batches', async () => {
    const producer = new FlakyProducer(0);
    const publisher = new ReliablePublisher(producer, { maxBatch: 10 });
    publisher.publish(Array.from({ length: 25 }, (_, i) => msg(i)));
    publisher.publish([msg(25, 'd2')]);
    await publisher.flush(5000);
    expect(producer.sent.map((m) => m.value)).toEqual(Array.from({ length: 26 }, (_, i) => `{"n":${i}}`));
    expect(producer.sent[25].key).toBe('d2');
    expect(publisher.getStats()).toEqual({ pending: 0, published: 26, failedAttempts: 0 });
  });

  it('should retry failures with backoff, keep the order and count the failed attempts', async () => {
    const producer = new FlakyProducer(3);
    const errors: string[] = [];
    const publisher = new ReliablePublisher(producer, {
      minBackoffMs: 2,
      maxBackoffMs: 10,
      onError: (e) => errors.push(e.message)
    });
    publisher.publish([msg(1), msg(2)]);
    expect(publisher.getStats().pending).toBe(2);
    publisher.publish([msg(3)]);
    await publisher.flush(5000);
    expect(errors).toEqual(['broker unavailable', 'broker unavailable', 'broker unavailable']);
    expect(producer.sent.map((m) => m.value)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(publisher.getStats()).toMatchObject({ pending: 0, published: 3, failedAttempts: 3 });
    expect(publisher.getStats().lastError).toBeUndefined();
  });

  it('should report what is still pending when flush times out and when stopped', async () => {
    const producer = new FlakyProducer(1_000_000);
    const publisher = new ReliablePublisher(producer, { minBackoffMs: 5, maxBackoffMs: 5 });
    publisher.publish([msg(1), msg(2)]);
    await expect(publisher.flush(50)).rejects.toThrow('2 event(s) still unpublished after 50 ms');
    expect(publisher.getStats().lastError).toBe('broker unavailable');
    expect(publisher.stop()).toBe(2);
    expect(() => publisher.publish([msg(3)])).toThrow('publisher is stopped');
  });
});
