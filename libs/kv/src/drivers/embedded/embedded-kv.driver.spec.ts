import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InvalidKvRequestError } from '../../kv.error';
import type { LockHandle } from '../../lock/lock-handle';
import { describeKvContract } from '../../testing/kv-contract';
import { EmbeddedKvStore } from './embedded-kv.driver';

const MAX = 256 * 1024;

describeKvContract('embedded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-embedded-contract-'));
  return {
    createClient: ({ prefix, retry }) =>
      Promise.resolve(
        new EmbeddedKvStore({ path: dir, prefix, maxValueBytes: MAX, ...(retry ? { retry } : {}) })
      ),
    breakLock: (holder, lock) => {
      (holder as EmbeddedKvStore).locks.revoke((lock as LockHandle).fullKey, 'revoked by test');
      return Promise.resolve();
    },
    takeoverWithinMs: 1000,
    oversizeValueBytes: MAX + 1,
    close: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    }
  };
});

describe('EmbeddedKvStore', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kv-embedded-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should persist data and keep versions increasing across a reopen', async () => {
    const first = new EmbeddedKvStore({ path: dir, prefix: 'p' });
    const v1 = await first.put('root', Uint8Array.of(1, 2, 3));
    await first.put('empty', new Uint8Array(0));
    await first.close();

    const second = new EmbeddedKvStore({ path: dir, prefix: 'p' });
    const entry = await second.get('root');
    expect(Array.from(entry?.value ?? [])).toEqual([1, 2, 3]);
    expect(entry?.version).toBe(v1);
    expect((await second.get('empty'))?.value.length).toBe(0);
    const v2 = await second.put('root', Uint8Array.of(4));
    expect(BigInt(v2)).toBeGreaterThan(BigInt(v1));
    await second.close();
  });

  it('should share one environment and its locks between stores on the same directory', async () => {
    const a = new EmbeddedKvStore({ path: dir, prefix: 'p' });
    const b = new EmbeddedKvStore({ path: join(dir, '.', ''), prefix: 'p' });
    await a.put('k', Uint8Array.of(7));
    expect(Array.from((await b.get('k'))?.value ?? [])).toEqual([7]);
    const lock = await a.lock('leader');
    expect(await b.tryLock('leader')).toBeUndefined();
    await a.close();
    expect(lock.held).toBe(false);
    // b still works after a closed (the environment is reference counted).
    expect(await b.tryLock('leader')).toBeDefined();
    expect(Array.from((await b.get('k'))?.value ?? [])).toEqual([7]);
    await b.close();
  });

  it('should refuse to open one directory as durable and non-durable at once', async () => {
    const a = new EmbeddedKvStore({ path: dir });
    expect(() => new EmbeddedKvStore({ path: dir, durable: false })).toThrow(InvalidKvRequestError);
    await a.close();
  });
});
