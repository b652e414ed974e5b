import { existsSync } from 'node:fs';

import { Etcd3 } from 'etcd3';

import { startEtcd, type EtcdHarness } from './etcd-harness';

describe('startEtcd', () => {
  let etcd: EtcdHarness | undefined;
  let client: Etcd3 | undefined;

  afterAll(async () => {
    client?.close();
    await etcd?.stop();
  });

  it('should start a healthy etcd that survives kill and restart with its data', async () => {
    etcd = await startEtcd();
    expect(etcd.endpoints[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(etcd.pid).toBeDefined();
    client = new Etcd3({ hosts: [...etcd.endpoints] });
    await client.put('harness/key').value('value');
    expect(await client.get('harness/key').string()).toBe('value');

    await etcd.kill();
    expect(etcd.pid).toBeUndefined();
    await etcd.restart();
    expect(await client.get('harness/key').string()).toBe('value');

    const dataDir = etcd.dataDir;
    await etcd.stop();
    expect(existsSync(dataDir)).toBe(false);
    expect(etcd.pid).toBeUndefined();
  });

  it('should report a clear error when the binary does not exist', async () => {
    await expect(startEtcd({ binary: '/nonexistent/etcd', startTimeoutMs: 2000 })).rejects.toThrow(
      /etcd harness/
    );
  });
});
