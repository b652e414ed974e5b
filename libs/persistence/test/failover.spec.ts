import { startEtcd } from '@voltha/testing';
import type { EtcdHarness } from '@voltha/testing';

import type { WorkerOptions } from './support/tree-worker';
import { WorkerProcess } from './support/worker-process';

jest.setTimeout(120_000);

describe('failover: two instances on one etcd', () => {
  let etcd: EtcdHarness;
  const running: WorkerProcess[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const w of running.splice(0)) await w.kill9();
    await etcd?.stop();
  });

  it('should let only the lock holder write and have the standby take over within 20 s of its death', async () => {
    const base: Omit<WorkerOptions, 'action'> = {
      kv: { backend: 'etcd', endpoints: etcd.address, prefix: `failover/${Date.now()}`, lockTtlMs: 5000 },
      mode: 'sync',
      writers: 2
    };
    const holder = WorkerProcess.start({ ...base, action: 'storm', name: 'holder' });
    running.push(holder);
    await holder.waitFor((l) => l.startsWith('active '), 30_000);
    await holder.waitForAcks(50, 30_000);

    const standby = WorkerProcess.start({ ...base, action: 'storm', name: 'standby' });
    running.push(standby);
    await new Promise((r) => setTimeout(r, 3000));
    // The standby waits for the lock: it is not active and has written nothing.
    expect(standby.lines.filter((l) => l.startsWith('active') || l.startsWith('ack'))).toEqual([]);

    const died = Date.now();
    await holder.kill9();
    await standby.waitFor((l) => l.startsWith('active '), 20_000);
    const takeover = Date.now() - died;
    expect(takeover).toBeLessThan(20_000);
    await standby.waitForAcks(30, 30_000);
    await standby.kill9();

    const { ids } = await WorkerProcess.list(base);
    const stored = new Set(ids);
    expect([...holder.acked].filter((id) => !stored.has(id))).toEqual([]);
    expect([...standby.acked].filter((id) => !stored.has(id))).toEqual([]);
  });
});
