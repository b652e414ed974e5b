import type { UnknownMessage } from '@voltha/proto';

import type { ConfigClient, Mutation } from './config-client';

/**
 * The reads and writes of one ConfigService transaction. Reads go to the transaction head (what the
 * transaction sees: its fork plus its own writes), so a read-modify-write inside it is checked by the
 * commit's merge; each path is read at most once and writes keep the local copy current. Tree-level
 * facts that the index does not know yet (proxy addresses and logical port numbers taken or freed in
 * this transaction) are tracked here for the uniqueness checks.
 */
export class TxContext {
  private readonly nodes = new Map<string, Promise<UnknownMessage | undefined>>();
  /** Containers read whole: a child not remembered under them does not exist. */
  private readonly complete = new Set<string>();
  /** Proxy-address keys taken by devices created or changed in this transaction -> device id. */
  public readonly proxyTaken = new Map<string, string>();
  /** Proxy-address keys released by devices removed or changed in this transaction. */
  public readonly proxyFreed = new Set<string>();
  /** Logical port numbers set in this transaction: `<ld>\0<port_no>` -> port id ('' when freed). */
  public readonly logicalPortNos = new Map<string, string>();
  /**
   * True when the transaction changes what the index holds (devices added, removed, re-parented;
   * logical devices and ports): the writer then waits for the index to catch up (read-your-writes).
   */
  public changesIndex = false;
  public writes = 0;

  public constructor(
    private readonly client: ConfigClient,
    public readonly txid: string
  ) {}

  /** The node at `path` (depth 0), undefined when absent. */
  public find<T extends UnknownMessage>(path: string): Promise<T | undefined> {
    let node = this.nodes.get(path);
    if (!node && this.complete.has(path.slice(0, path.lastIndexOf('/')))) return Promise.resolve(undefined);
    if (!node) {
      node = this.client.find(path, { txid: this.txid });
      this.nodes.set(path, node);
    }
    return node as Promise<T | undefined>;
  }

  /** The children of a container; each is remembered under `<container>/<key>`. */
  public async list<T extends UnknownMessage>(container: string, keyOf: (item: T) => string): Promise<T[]> {
    const items = await this.client.getList<T>(container, { txid: this.txid });
    for (const item of items) {
      const path = `${container}/${keyOf(item)}`;
      // What this transaction wrote meanwhile stays (the list may have been read before the write).
      if (!this.nodes.has(path)) this.nodes.set(path, Promise.resolve(item));
    }
    this.complete.add(container);
    return items;
  }

  /** Reads a container whole once (later reads of its children are answered locally). */
  public async listOnce<T extends UnknownMessage>(
    container: string,
    keyOf: (item: T) => string
  ): Promise<void> {
    if (!this.complete.has(container)) await this.list(container, keyOf);
  }

  public async add(container: string, message: UnknownMessage, key?: string): Promise<Mutation> {
    this.writes++;
    const r = await this.client.add(container, message, { txid: this.txid });
    if (key) this.nodes.set(`${container}/${key}`, Promise.resolve(message));
    return r;
  }

  /** True when the transaction has read or written `path`. */
  public knows(path: string): boolean {
    return this.nodes.has(path);
  }

  /** Records what a path holds now (e.g. a node added with an id the core assigned). */
  public remember(path: string, message: UnknownMessage | undefined): void {
    this.nodes.set(path, Promise.resolve(message));
  }

  public async update(path: string, message: UnknownMessage): Promise<void> {
    this.writes++;
    this.nodes.set(path, Promise.resolve(message));
    await this.client.update(path, message, { txid: this.txid });
  }

  public async remove(path: string): Promise<void> {
    this.writes++;
    this.nodes.set(path, Promise.resolve(undefined));
    // Children of the removed node are gone too.
    for (const key of this.nodes.keys()) {
      if (key.startsWith(`${path}/`)) this.nodes.set(key, Promise.resolve(undefined));
    }
    await this.client.remove(path, { txid: this.txid });
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
