import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEtcd } from '@voltha/testing';
import type { EtcdHarness } from '@voltha/testing';

import type { WorkerOptions } from './support/tree-worker';
import { WorkerProcess } from './support/worker-process';

jest.setTimeout(120_000);

describe('crash safety: kill -9 in the middle of a write storm, then restart', () => {
  let etcd: EtcdHarness;
  let dir: string;
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'crash-'));
  });
  afterEach(async () => {
    for (const w of running.splice(0)) await w.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  async function stormKillAndCheck(base: Omit<WorkerOptions, 'action'>): Promise<void> {
    const storm = WorkerProcess.start({ ...base, action: 'storm', writers: 8, name: 'storm' });
    running.push(storm);
    await storm.waitForAcks(300, 60_000);
    await storm.kill9();
    const acked = [...storm.acked];
    expect(acked.length).toBeGreaterThanOrEqual(300);
    const { ids } = await WorkerProcess.list(base);
    const stored = new Set(ids);
    const lost = acked.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    // Nothing that was never attempted appears either.
    expect(ids.every((id) => id.startsWith('storm-'))).toBe(true);
  }

  it('should lose no acknowledged write in sync mode (etcd)', async () => {
    await stormKillAndCheck({
      kv: { backend: 'etcd', endpoints: etcd.address, prefix: `crash/sync/${Date.now()}`, lockTtlMs: 2000 },
      mode: 'sync'
    });
  });

  it('should lose no acknowledged write in journal mode (etcd)', async () => {
    await stormKillAndCheck({
      kv: {
        backend: 'etcd',
        endpoints: etcd.address,
        prefix: `crash/journal/${Date.now()}`,
        lockTtlMs: 2000
      },
      mode: 'journal',
      journalPath: join(dir, 'journal')
    });
  });

  it('should lose no acknowledged write in sync mode with the embedded store (LMDB)', async () => {
    await stormKillAndCheck({ kv: { backend: 'embedded', path: join(dir, 'lmdb') }, mode: 'sync' });
  });
});
