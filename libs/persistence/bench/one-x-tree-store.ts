import type { RootPointer, TreeStore, TreeStoreBatch } from '@voltha/config-tree';
import { decodeRootPointer, encodeRootPointer } from '@voltha/config-tree';
import type { KvStore } from '@voltha/kv';

import { ROOT_KEY } from '../src';

/**
 * Pattern (a) of the persistence benchmark: the VOLTHA 1.x way of persisting the tree
 * (spec config-engine.md §1.6, §4), as a TreeStore over the same KV layout as KvTreeStore.
 *
 * For every batch of the tree: one `put` per new blob, one after the other (1.x wrote each revision
 * synchronously when it was created, blocking the reactor), then one `put` of `root`, then one
 * `delete` per garbage blob, also one by one. No transactions, no grouping: every call is a round
 * trip. Batches are written strictly one after the other, in call order, even if the tree hands
 * over several at once; a failed batch fails the ones waiting behind it (TreeStore contract).
 *
 * This is a lower bound of what 1.x cost: 1.x also checked `hash in store` before each write, a GET
 * on every cache miss (up to 2 GETs + 2 PUTs per new revision); those GETs are not reproduced here.
 */
export class OneXTreeStore implements TreeStore {
  private readonly queue: Array<{ batch: TreeStoreBatch; resolve: () => void; reject: (e: Error) => void }> =
    [];
  private writing = false;

  constructor(private readonly kv: KvStore) {}

  async loadRoot(): Promise<RootPointer | undefined> {
    const entry = await this.kv.get(ROOT_KEY);
    return entry ? decodeRootPointer(entry.value) : undefined;
  }

  /** Loading is not measured; read in batches so that it stays quick. */
  async readBlobs(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for (let i = 0; i < keys.length; i += 512) {
      for (const [k, entry] of await this.kv.getMany(keys.slice(i, i + 512))) out.set(k, entry.value);
    }
    return out;
  }

  commit(batch: TreeStoreBatch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.writeLoop();
      }
    });
  }

  private async writeLoop(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.write(next.batch);
        next.resolve();
      } catch (e) {
        // TreeStore contract: the batches waiting behind a rejected one were built on it; reject them too.
        const error = e instanceof Error ? e : new Error(String(e));
        for (const w of [next, ...this.queue.splice(0)]) w.reject(error);
      }
    }
    this.writing = false;
  }

  private async write(batch: TreeStoreBatch): Promise<void> {
    for (const [key, value] of batch.puts) await this.kv.put(key, value);
    await this.kv.put(ROOT_KEY, encodeRootPointer(batch.root));
    for (const key of batch.deletes) await this.kv.delete(key);
  }
}
