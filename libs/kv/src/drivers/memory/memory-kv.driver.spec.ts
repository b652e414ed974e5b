import { describeKvContract } from '../../testing/kv-contract';
import { MemoryKvBackend, MemoryKvStore } from './memory-kv.driver';
import type { LockHandle } from '../../lock/lock-handle';

describeKvContract('memory', async () => {
  const backend = new MemoryKvBackend();
  return {
    createClient: ({ prefix, retry }) =>
      Promise.resolve(
        new MemoryKvStore({ shared: backend, prefix, maxValueBytes: 256 * 1024, ...(retry ? { retry } : {}) })
      ),
    breakLock: (_holder, lock) => {
      backend.locks.revoke((lock as LockHandle).fullKey, 'revoked by test');
      return Promise.resolve();
    },
    takeoverWithinMs: 1000,
    oversizeValueBytes: 256 * 1024 + 1,
    close: () => Promise.resolve()
  };
});

describe('MemoryKvStore', () => {
  it('should keep data per backend: private by default, shared when a backend is passed', async () => {
    const a = new MemoryKvStore({ prefix: 'p' });
    const b = new MemoryKvStore({ prefix: 'p' });
    await a.put('k', Uint8Array.of(1));
    expect(await b.get('k')).toBeUndefined();
    const shared = new MemoryKvStore({ prefix: 'p', shared: a.data });
    expect((await shared.get('k'))?.value).toEqual(Uint8Array.of(1));
    await Promise.all([a.close(), b.close(), shared.close()]);
  });

  it('should copy values in and out so callers cannot change stored data', async () => {
    const kv = new MemoryKvStore();
    const value = Uint8Array.of(1, 2, 3);
    await kv.put('k', value);
    value[0] = 9;
    const read = await kv.get('k');
    expect(Array.from(read?.value ?? [])).toEqual([1, 2, 3]);
    if (read) read.value[1] = 9;
    expect(Array.from((await kv.get('k'))?.value ?? [])).toEqual([1, 2, 3]);
    expect(kv.prefix).toBe('service/voltha/data/core/0001');
    await kv.close();
  });
});
