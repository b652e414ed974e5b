import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createKvStore, type CreateKvStoreOptions } from './create-kv-store';
import { ConsulKvStore } from './drivers/consul/consul-kv.driver';
import { EmbeddedKvStore } from './drivers/embedded/embedded-kv.driver';
import { EtcdKvStore } from './drivers/etcd/etcd-kv.driver';
import { MemoryKvStore } from './drivers/memory/memory-kv.driver';
import { InvalidKvRequestError } from './kv.error';

describe('createKvStore', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kv-factory-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should build the driver named by backend, with its limits', async () => {
    const stores = [
      createKvStore({ backend: 'memory' }),
      createKvStore({ backend: 'none' }),
      createKvStore({ backend: 'embedded', path: dir }),
      createKvStore({ backend: 'etcd', endpoints: '127.0.0.1:1' }),
      createKvStore({ backend: 'consul', address: '127.0.0.1:1', token: 't' })
    ];
    try {
      expect(stores.map((s) => s.constructor)).toEqual([
        MemoryKvStore,
        MemoryKvStore,
        EmbeddedKvStore,
        EtcdKvStore,
        ConsulKvStore
      ]);
      expect(stores.map((s) => s.backend)).toEqual(['memory', 'memory', 'embedded', 'etcd', 'consul']);
      expect(stores[3]?.maxTxnOps).toBe(128);
      expect(stores[4]?.maxTxnOps).toBe(64);
      expect(stores[4]?.limits.maxValueBytes).toBe(512 * 1024);
      expect(stores.every((s) => s.prefix === 'service/voltha/data/core/0001')).toBe(true);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('should use VOLTHA default addresses', async () => {
    const etcd = createKvStore({ backend: 'etcd' }) as EtcdKvStore;
    const consul = createKvStore({ backend: 'consul' }) as ConsulKvStore;
    expect(etcd.endpoints).toEqual(['http://localhost:2379']);
    expect(consul.address).toBe('localhost:8500');
    await Promise.all([etcd.close(), consul.close()]);
  });

  it('should reject unknown backends', () => {
    expect(() => createKvStore({ backend: 'redis' } as unknown as CreateKvStoreOptions)).toThrow(
      InvalidKvRequestError
    );
  });

  it('should fail fast with KvUnavailableError when nothing listens', async () => {
    const kv = createKvStore({
      backend: 'consul',
      address: '127.0.0.1:1',
      retry: { requestTimeoutMs: 200, maxAttempts: 2, initialDelayMs: 10 }
    });
    await expect(kv.get('k')).rejects.toMatchObject({ name: 'KvUnavailableError', attempts: 2 });
    await kv.close();
  });
});
