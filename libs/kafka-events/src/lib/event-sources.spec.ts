import { loadPackageDefinition, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Kafka, logLevel } from 'kafkajs';

import { Device, GRPC_LOADER_OPTIONS, protoPath, toJsonWithDefaults, toWireAny } from '@voltha/proto';
import { startKafkaMock } from '@voltha/testing';

import { BatchPump } from './event-source';
import type { SourcedEvent } from './event-source';
import { KafkaEventSource } from './kafka-event-source';
import { WatchEventSource } from './watch-event-source';

const device = (id: string) => Device.fromPartial({ id, type: 'sim' });

function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met'));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('BatchPump', () => {
  it('should deliver in order, in batches, one batch at a time, a resync before later events', async () => {
    const seen: string[] = [];
    let inFlight = 0;
    const pump = new BatchPump(
      {
        onBatch: async (events) => {
          inFlight++;
          expect(inFlight).toBe(1);
          seen.push(`batch:${events.map((e) => e.seq).join(',')}`);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
        },
        onResync: async (reason) => {
          seen.push(`resync:${reason}`);
        }
      },
      { batchMax: 2, batchWaitMs: 1, logger: { info: () => undefined, warn: () => undefined } }
    );
    const ev = (seq: number) => ({ seq }) as unknown as SourcedEvent;
    pump.push(ev(1));
    pump.push(ev(2));
    pump.push(ev(3));
    await until(() => seen.length === 2);
    pump.resync('gap');
    pump.push(ev(9));
    await until(() => seen.length === 4);
    expect(seen).toEqual(['batch:1,2', 'batch:3', 'resync:gap', 'batch:9']);
    expect(pump.lastSeq).toBe(9);
    pump.stop();
  });
});

describe('WatchEventSource', () => {
  it('should resync at start, deliver typed events, resume after a disconnect and resync after lost events', async () => {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: { ConfigService: { service: never } };
    };
    const requests: string[] = [];
    let stream: ServerWritableStream<{ fromSeq: string }, unknown> | undefined;
    const server = new Server();
    server.addService(pkg.voltha.ConfigService.service, {
      Watch: (call: ServerWritableStream<{ fromSeq: string; pathPrefix: string }, unknown>) => {
        requests.push(call.request.fromSeq);
        if (call.request.fromSeq === '1' && requests.length === 2) {
          call.emit('error', { code: status.FAILED_PRECONDITION, details: 'not retained' });
          return;
        }
        stream = call;
      }
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p)))
    );
    const send = (seq: number, id: string) =>
      stream?.write({
        type: 0,
        path: `/devices/${id}`,
        seq: String(seq),
        key: id,
        origin: 'x',
        hash: 'h',
        rootHash: 'r',
        message: toWireAny(device(id))
      });

    const got: string[] = [];
    const source = new WatchEventSource({ address: `127.0.0.1:${port}`, minBackoffMs: 10, maxBackoffMs: 20 });
    await source.start({
      onBatch: async (events) => {
        for (const e of events) got.push(`${e.seq}:${(e.message as Device).id}:${e.type}`);
      },
      onResync: async (reason) => {
        got.push(`resync:${reason}`);
      }
    });
    try {
      await until(() => stream !== undefined && got.length === 1);
      send(1, 'a');
      send(2, 'b');
      await until(() => got.length === 3);
      expect(got).toEqual(['resync:start', '1:a:add', '2:b:add']);
      stream?.end();
      stream = undefined;
      // reconnects from seq 1 (commit 2 again, whole); the fake answers "not retained" -> resync,
      // then live again from 0
      await until(() => requests.length >= 3 && stream !== undefined);
      expect(requests.slice(0, 3)).toEqual(['0', '1', '0']);
      await until(() => got.length === 4);
      expect(got[3]).toMatch(/^resync:events lost/);
      send(3, 'c');
      await until(() => got.length === 5);
      expect(got[4]).toBe('3:c:add');
    } finally {
      await source.stop();
      server.forceShutdown();
    }
  });
});

describe('WatchEventSource with a resync seq', () => {
  it('should watch again from the seq the consumer read at', async () => {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: { ConfigService: { service: never } };
    };
    const requests: string[] = [];
    const server = new Server();
    server.addService(pkg.voltha.ConfigService.service, {
      Watch: (call: ServerWritableStream<{ fromSeq: string; pathPrefix: string }, unknown>) => {
        requests.push(call.request.fromSeq);
        if (call.request.fromSeq === '7') {
          call.write({
            type: 0,
            path: '/devices/z',
            seq: '8',
            key: 'z',
            origin: 'x',
            message: toWireAny(device('z'))
          });
        }
      }
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p)))
    );
    const got: string[] = [];
    const source = new WatchEventSource({ address: `127.0.0.1:${port}`, minBackoffMs: 10, maxBackoffMs: 20 });
    await source.start({
      onBatch: async (events) => {
        for (const e of events) got.push(`${e.seq}:${(e.message as Device).id}`);
      },
      onResync: async () => 7
    });
    try {
      await until(() => got.length === 1);
      expect(requests.at(-1)).toBe('7');
      expect(got).toEqual(['8:z']);
    } finally {
      await source.stop();
      server.forceShutdown();
    }
  });
});

describe('WatchEventSource after a resync at seq 0', () => {
  it('should resync again when the live stream starts after commit 1', async () => {
    const definition = loadSync(protoPath('config_service.proto'), GRPC_LOADER_OPTIONS);
    const pkg = loadPackageDefinition(definition) as unknown as {
      voltha: { ConfigService: { service: never } };
    };
    let stream: ServerWritableStream<{ fromSeq: string }, unknown> | undefined;
    const server = new Server();
    server.addService(pkg.voltha.ConfigService.service, {
      Watch: (call: ServerWritableStream<{ fromSeq: string }, unknown>) => {
        stream = call;
      }
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p)))
    );
    const got: string[] = [];
    const source = new WatchEventSource({ address: `127.0.0.1:${port}`, minBackoffMs: 10, maxBackoffMs: 20 });
    await source.start({
      onBatch: async (events) => {
        for (const e of events) got.push(String(e.seq));
      },
      onResync: async (reason) => {
        got.push(`resync:${reason}`);
        return 0;
      }
    });
    try {
      await until(() => stream !== undefined && got.length === 1);
      // commits 1 and 2 happened before the stream registered: the first event seen is 3
      stream?.write({
        type: 0,
        path: '/devices/c',
        seq: '3',
        key: 'c',
        origin: 'x',
        message: toWireAny(device('c'))
      });
      await until(() => got.length === 3);
      expect(got).toEqual(['resync:start', 'resync:events before the watch may be lost', '3']);
    } finally {
      await source.stop();
      server.forceShutdown();
    }
  });
});

describe('KafkaEventSource', () => {
  it('should deliver the typed events a producer publishes on voltha.events', async () => {
    const mock = await startKafkaMock({ brokers: 1 });
    const kafka = new Kafka({ clientId: 'src-test', brokers: [...mock.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    const got: SourcedEvent[] = [];
    const topic = `voltha.events.test.${Date.now()}`;
    const source = new KafkaEventSource({
      brokers: [...mock.brokers],
      groupId: `g-${Date.now()}`,
      topic,
      pathPrefixes: ['/devices/']
    });
    try {
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'warmup', value: 'not json' }] });
      await source.start({
        onBatch: async (events) => {
          got.push(...events);
        },
        onResync: async () => undefined
      });
      const record = (seq: number, path: string, id: string) => ({
        type: 'add',
        hash: 'h',
        data: JSON.stringify(toJsonWithDefaults(device(id))),
        path,
        root_hash: 'r',
        seq: String(seq),
        timestamp: new Date().toISOString(),
        type_name: 'voltha.Device',
        key: id,
        origin: 'core'
      });
      // Keep producing until the consumer has joined and sees them (new groups start at the end).
      for (let i = 0; i < 100 && got.length === 0; i++) {
        await producer.send({
          topic,
          messages: [
            { key: 'd1', value: JSON.stringify(record(10 + i, '/devices/d1', 'd1')) },
            { key: 'x', value: JSON.stringify(record(10 + i, '/adapters/x', 'x')) }
          ]
        });
        await new Promise((r) => setTimeout(r, 200));
      }
      await until(() => got.length > 0, 20_000);
      expect(got[0]).toMatchObject({
        type: 'add',
        path: '/devices/d1',
        key: 'd1',
        origin: 'core',
        typeName: 'voltha.Device'
      });
      expect((got[0].message as Device).id).toBe('d1');
      expect(got.every((e) => e.path.startsWith('/devices/'))).toBe(true);
    } finally {
      await source.stop();
      await producer.disconnect();
      await mock.stop();
    }
  });
});
