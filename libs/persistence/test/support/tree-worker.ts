/**
 * A process that owns a persisted config tree, for crash, failover and outage tests:
 *   node -r @swc-node/register tree-worker.ts '<json WorkerOptions>'
 * It prints one line per event on stdout: `active <lock token>`, `ack <id>` after each acknowledged
 * write, `fail <id> <code>`, `list <json ids>`, `hash <root hash>`.
 */
import { ConfigRoot } from '@voltha/config-tree';
import { createKvStore } from '@voltha/kv';
import type { CreateKvStoreOptions } from '@voltha/kv';
import { Adapter, VolthaInstance } from '@voltha/proto';

import { KvTreeStore, LOCK_KEY } from '../../src';
import type { WriteMode } from '../../src';

export interface WorkerOptions {
  kv: CreateKvStoreOptions;
  mode: WriteMode;
  journalPath?: string;
  /** storm: write forever with `writers` concurrent writers; list: print ids and hash, then exit. */
  action: 'storm' | 'list';
  writers?: number;
  /** Prefix of the ids this process writes. */
  name?: string;
}

const out = (line: string): void => {
  process.stdout.write(line + '\n');
};

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as WorkerOptions;
  const kv = createKvStore(options.kv);
  const lock = await kv.lock(LOCK_KEY, { owner: options.name ?? 'worker' });
  out(`active ${lock.token}`);
  const store = await KvTreeStore.open({
    kv,
    mode: options.mode,
    journalPath: options.journalPath,
    fence: lock,
    onFenced: (reason) => {
      out(`fenced ${reason}`);
      process.exit(3);
    }
  });
  const root = await ConfigRoot.open(VolthaInstance.fromPartial({ instanceId: 'worker' }), { store });
  if (options.action === 'list') {
    const ids = (await root.getList<Adapter>('/adapters')).map((a) => a.id);
    out(`list ${JSON.stringify(ids)}`);
    out(`hash ${root.latestHash}`);
    await store.close();
    await root.close();
    await lock.release();
    await kv.close();
    return;
  }
  const name = options.name ?? 'w';
  const writer = async (w: number): Promise<void> => {
    for (let n = 0; ; n++) {
      const id = `${name}-${w}-${n}`;
      try {
        await root.add('/adapters', Adapter.fromPartial({ id, vendor: 'crash-test', version: String(n) }));
        out(`ack ${id}`);
      } catch (e) {
        out(`fail ${id} ${(e as { code?: string }).code ?? 'ERROR'}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: options.writers ?? 4 }, (_, w) => writer(w)));
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
