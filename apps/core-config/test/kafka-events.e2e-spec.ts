import { Kafka, logLevel } from 'kafkajs';

import { parseChangeEvent } from '@voltha/kafka-events';
import type { ChangeEventRecord } from '@voltha/kafka-events';
import { startKafkaMock } from '@voltha/testing';
import type { KafkaMock } from '@voltha/testing';

import { CoreConfigFixture, waitFor } from './support/core-config-fixture';
import { TestAdapter } from './support/test-adapter';

jest.setTimeout(120_000);

interface WatchEvent {
  type: number;
  path: string;
  seq: string;
  key: string;
}

describe('core-config change events on Kafka (librdkafka mock cluster)', () => {
  let mock: KafkaMock;
  let core: CoreConfigFixture;

  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 3 });
    core = new CoreConfigFixture(['--kafka', mock.bootstrapServers]);
    await core.start();
  });
  afterAll(async () => {
    await core?.dispose();
    await mock?.stop();
  });

  it('should publish one event per committed change, keyed by device, in per-device order', async () => {
    const watched: WatchEvent[] = [];
    const watch = core.config.stream('Watch', { pathPrefix: '', fromSeq: '0' });
    watch.on('data', (e: WatchEvent) => watched.push(e));
    watch.on('error', () => undefined);
    const adapter = new TestAdapter(core.config);
    await adapter.register();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await core.voltha.call<{ id: string }>('CreateDevice', {
        type: 'test_olt',
        macAddress: `00:00:00:00:01:0${i}`
      });
      ids.push(d.id);
    }
    await core.voltha.call('EnableDevice', { id: ids[0] });
    await core.voltha.call('EnableDevice', { id: ids[1] });
    await waitFor('activations', async () => (adapter.activated.length === 2 ? true : undefined));
    await core.voltha.call('DisableDevice', { id: ids[1] });
    await core.voltha.call('DeleteDevice', { id: ids[4] });

    const kafka = new Kafka({ clientId: 'e2e', brokers: [...mock.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-${Date.now()}` });
    const records: Array<ChangeEventRecord & { kafkaKey: string }> = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: 'voltha.events', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          records.push({ ...parseChangeEvent(message.value as Buffer), kafkaKey: String(message.key ?? '') });
        }
      });
      await waitFor(
        'all events on Kafka',
        async () => (records.length >= watched.length && watched.length > 0 ? true : undefined),
        30_000
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await consumer.disconnect();
      watch.cancel();
      adapter.stop();
    }

    // exactly one Kafka event per committed change (the Watch stream sees every commit)
    expect(records).toHaveLength(watched.length);
    const asKey = (seq: string, path: string, type: string | number) => `${seq}|${path}|${type}`;
    const typeName = ['add', 'remove', 'update'];
    expect(new Set(records.map((r) => asKey(r.seq, r.path, r.type)))).toEqual(
      new Set(watched.map((w) => asKey(w.seq, w.path, typeName[w.type])))
    );
    // keyed by the owning device, and in commit order per device
    for (const r of records) expect(r.kafkaKey).toBe(r.key);
    for (const id of ids) {
      const seqs = records.filter((r) => r.key === id).map((r) => Number(r.seq));
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // every device change carries its device id as key
    expect(records.filter((r) => r.path.startsWith('/devices/')).every((r) => ids.includes(r.key))).toBe(
      true
    );
    // 1.x fields are there
    const created = records.find((r) => r.type === 'add' && r.path === `/devices/${ids[0]}`);
    expect(JSON.parse(created?.data ?? '{}')).toMatchObject({
      id: ids[0],
      type: 'test_olt',
      admin_state: 'PREPROVISIONED'
    });
  });
});
