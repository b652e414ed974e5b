import { randomBytes } from 'node:crypto';

import { BlobBatch, BlobIndex, LAYOUT_VERSION } from './blob-index';
import { CallbackType } from './callback-type';
import {
  ClosedTransactionError,
  ConfigKeyError,
  ConfigNotImplementedError,
  ConfigStoreError,
  ConfigTreeClosedError,
  ConfigTreeError,
  ConfigValueError
} from './errors';
import type { ConfigChangeEvent, ConfigChangeListener } from './events';
import { jsonDiff, JsonPatchOperation } from './json';
import { Announcement, merge3way } from './merge-3way';
import { KeyedChildren, MstNode } from './merkle-search-tree';
import { ConfigProxy, ProxyHost, ReadOptions, UpdateOptions, WriteOptions } from './proxy';
import { ConfigData, ConfigNode, Revision } from './revision';
import { RevisionLoader } from './revision-loader';
import type { ConfigSchema, Message, TypeInfo } from './schema';
import { SerialExecutor } from './serial-executor';
import { Transaction, TransactionHost, TransactionOptions } from './transaction';
import {
  assemble,
  buildRevision,
  childFieldsWithData,
  joinPath,
  keyOf,
  PathStep,
  readOnlyViolations,
  rebuildPath,
  Resolved,
  ResolvedNode,
  resolvePath
} from './tree-ops';
import type { RootPointer, TreeStore } from './tree-store';
import { volthaSchema } from './voltha-schema';

/** Structured logger for swallowed errors (POST callbacks, subscribers, expired transactions). */
export interface ConfigTreeLogger {
  warn(event: string, fields?: Record<string, unknown>): void;
}

export interface ConfigRootOptions {
  /** Message schema; default: the VOLTHA schema of `@voltha/proto` ({@link volthaSchema}). */
  schema?: ConfigSchema;
  /** Persistence; without a store the tree lives in memory only. */
  store?: TreeStore;
  /** Untagged root revisions kept in history (the latest included). Default 1000; must be >= 1. */
  historySize?: number;
  /** Idle timeout of transactions in ms (0 = none). Default 300000 (5 minutes). */
  transactionIdleTimeoutMs?: number;
  logger?: ConfigTreeLogger;
  /** Clock for event timestamps (ms since epoch). */
  clock?: () => number;
}

export interface GetOptions extends ReadOptions {
  /** Read from this root revision (history or tagged). */
  hash?: string;
}

export const DEFAULT_HISTORY_SIZE = 1000;
export const DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS = 300_000;

interface TxState {
  readonly txid: string;
  readonly fork: Revision;
  head: Revision;
  /** Nodes written in the transaction -> their path (the root is always present). */
  readonly touched: Map<ConfigNode, string>;
  readonly idleTimeoutMs: number;
  timer: NodeJS.Timeout | undefined;
}

interface Committed {
  readonly announcements: readonly Announcement[];
  readonly seq: number;
  readonly rootHash: string;
}

interface Outcome {
  readonly committed?: Committed;
}

/** Result of a mutation: the committed root after it (unchanged for writes inside a transaction). */
export interface MutationResult {
  readonly rootHash: string;
  readonly seq: number;
}

interface HistoryPlan {
  readonly isNew: boolean;
  readonly evicted: readonly string[];
  readonly keys: readonly string[];
}

const noopLogger: ConfigTreeLogger = { warn: () => undefined };

function isMessage(x: unknown): x is Message {
  return x !== null && typeof x === 'object' && typeof (x as { $type?: unknown }).$type === 'string';
}

function checkType(data: unknown, typeName: string): asserts data is Message {
  if (!isMessage(data) || data.$type !== typeName) {
    const got = isMessage(data) ? data.$type : typeof data;
    throw new ConfigValueError(`data must be a ${typeName}, got ${got}`);
  }
}

const EVENT_TYPES: Partial<Record<CallbackType, ConfigChangeEvent['type']>> = {
  [CallbackType.POST_ADD]: 'add',
  [CallbackType.POST_REMOVE]: 'remove',
  [CallbackType.POST_UPDATE]: 'update'
};

/**
 * The versioned config tree (VOLTHA 1.x `ConfigRoot`): immutable revisions with content hashes and
 * structural sharing, a path API, proxies with callbacks, transactions with 3-way merge, tags, diffs,
 * bounded history, change events and persistence through a {@link TreeStore}.
 *
 * Every mutation (update/add/remove, commit, tag changes, prune) runs through one serial executor; reads
 * never wait. Mutations resolve after the store committed their batch and after their POST callbacks
 * (and everything those started) finished.
 */
export class ConfigRoot {
  private readonly schema: ConfigSchema;
  private readonly store: TreeStore | undefined;
  private readonly historySize: number;
  private readonly idleTimeoutMs: number;
  private readonly logger: ConfigTreeLogger;
  private readonly clock: () => number;
  private readonly executor = new SerialExecutor();
  private readonly transactions = new Map<string, TxState>();
  private readonly listeners = new Set<ConfigChangeListener>();
  private closed = false;
  private readonly proxyHost: ProxyHost;
  private readonly txHost: TransactionHost;

  private constructor(
    options: ConfigRootOptions,
    private latestRev: Revision,
    /** Retained root revisions, oldest first (null: persisted, not loaded in memory). */
    private readonly history: Map<string, Revision | null>,
    private readonly tagMap: Map<string, string>,
    private seqNo: number,
    private readonly index: BlobIndex | undefined
  ) {
    this.schema = options.schema ?? volthaSchema();
    this.store = options.store;
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    if (!(this.historySize >= 1)) throw new ConfigValueError('historySize must be >= 1');
    this.idleTimeoutMs = options.transactionIdleTimeoutMs ?? DEFAULT_TRANSACTION_IDLE_TIMEOUT_MS;
    this.logger = options.logger ?? noopLogger;
    this.clock = options.clock ?? Date.now;
    this.proxyHost = {
      readAt: (node, path, opts) => this.readAt(node, path, opts),
      update: (path, data, opts) => this.update(path, data, opts),
      add: (path, data, opts) => this.add(path, data, opts),
      remove: (path, opts) => this.remove(path, opts),
      openTransaction: (proxy, opts) => this.openTx(proxy, opts)
    };
    this.txHost = {
      isOpen: (txid) => this.transactions.has(txid),
      commit: (txid) => this.commitTransaction(txid),
      cancel: (txid) => this.cancelTransaction(txid),
      touch: (txid) => this.touchTx(txid)
    };
  }

  // ------------------------------------------------------------------ construction

  /**
   * A new tree from an initial message (its child-node fields become nodes). With a store, the initial
   * state is persisted (replacing any root pointer the store had; use {@link ConfigRoot.open} to keep data).
   */
  static async create(initial: Message, options: ConfigRootOptions): Promise<ConfigRoot> {
    if (!isMessage(initial)) throw new ConfigNotImplementedError('initial data must be a protobuf message');
    const schema = options.schema ?? volthaSchema();
    const info = schema.typeInfo(initial.$type);
    const rev = buildRevision(schema, info, info.normalize(initial), '/');
    const index = options.store ? new BlobIndex() : undefined;
    const root = new ConfigRoot(options, rev, new Map([[rev.hash, rev]]), new Map(), 0, index);
    if (options.store && index) {
      const batch = index.begin();
      batch.registerRevision(rev);
      batch.retain(rev.hash);
      await root.storeCommit(batch, root.pointer(rev.hash, [rev.hash], root.tagMap, 0));
    }
    return root;
  }

  /**
   * Loads the tree persisted in `options.store` (which must have a root pointer). Reads every blob reachable
   * from the retained root revisions (batched, level by level) and fails with ConfigStoreError (DATA_LOSS) on
   * a missing blob. The latest and the tagged revisions are built in memory; other history entries load
   * lazily. Writes nothing unless the current schema re-hashes the data (then one batch with the final root
   * pointer).
   */
  static async load(
    options: ConfigRootOptions & { store: TreeStore; rootType?: string }
  ): Promise<ConfigRoot> {
    const store = options.store;
    const pointer = await store.loadRoot();
    if (!pointer) throw new ConfigStoreError('store has no root pointer', 'NOT_FOUND');
    const tagged = Object.values(pointer.tags);
    const stored = [
      ...new Set([...pointer.history, ...tagged].filter((h) => h !== pointer.latest)),
      pointer.latest
    ];
    const schema = options.schema ?? volthaSchema();
    const loader = new RevisionLoader(store, schema);
    await loader.fetch(stored);
    const info = schema.typeInfo(options.rootType ?? loader.storedType(pointer.latest));
    const latest = loader.build(pointer.latest, info, '/');
    const tagRevs = new Map<string, Revision>();
    for (const h of new Set(tagged)) tagRevs.set(h, loader.build(h, info, '/'));
    const index = BlobIndex.fromGraph(loader.graph, stored);

    const history = new Map<string, Revision | null>(stored.map((h) => [h, null]));
    const tags = new Map<string, string>();
    for (const [name, h] of Object.entries(pointer.tags)) tags.set(name, (tagRevs.get(h) as Revision).hash);
    for (const r of tagRevs.values()) history.set(r.hash, r);
    history.delete(latest.hash);
    history.set(latest.hash, latest);
    const root = new ConfigRoot(options, latest, history, tags, pointer.seq, index);
    const storedSet = new Set(stored);
    const fresh = [...history.entries()].filter(([h]) => !storedSet.has(h));
    if (fresh.length > 0) {
      const batch = index.begin();
      for (const [h, r] of fresh) {
        batch.registerRevision(r as Revision);
        batch.retain(h);
      }
      await root.storeCommit(batch, root.pointer(latest.hash, [...history.keys()], tags, pointer.seq));
    }
    return root;
  }

  /** Loads the store's tree if it has one, otherwise creates (and persists) one from `initial`. */
  static async open(
    initial: Message,
    options: ConfigRootOptions & { store: TreeStore }
  ): Promise<ConfigRoot> {
    return (await options.store.loadRoot()) ? ConfigRoot.load(options) : ConfigRoot.create(initial, options);
  }

  // ------------------------------------------------------------------ state

  /** Hash of the latest committed root revision. */
  get latestHash(): string {
    return this.latestRev.hash;
  }

  /** Full type name of the root message. */
  get typeName(): string {
    return this.latestRev.info.typeName;
  }

  /** Retained root revision hashes, oldest first (the latest is last). */
  get revisions(): string[] {
    return [...this.history.keys()];
  }

  /** Commit sequence number of the latest revision (persisted; continues across restarts). */
  get seq(): number {
    return this.seqNo;
  }

  // ------------------------------------------------------------------ path API

  /**
   * Reads a node (a copy of its data with `depth` levels of children) or, for a container path, the list
   * of its children. GET callbacks of the node(s) at the end of the path are applied.
   */
  async get(path = '/', options: GetOptions = {}): Promise<Message | Message[]> {
    let rev: Revision;
    if (options.hash !== undefined) rev = await this.revisionByHash(options.hash);
    else if (options.txid !== undefined) rev = this.transactions.get(options.txid)?.head ?? this.latestRev;
    else rev = this.latestRev;
    return this.read(resolvePath(rev, '/', path, 'read'), options);
  }

  /** `get` of a path that must end at a node. */
  async getNode<T extends Message = Message>(path = '/', options: GetOptions = {}): Promise<T> {
    const r = await this.get(path, options);
    if (Array.isArray(r)) throw new ConfigValueError(`${path} is a container`);
    return r as T;
  }

  /** `get` of a path that must end at a container. */
  async getList<T extends Message = Message>(path: string, options: GetOptions = {}): Promise<T[]> {
    const r = await this.get(path, options);
    if (!Array.isArray(r)) throw new ConfigValueError(`${path} is not a container`);
    return r as T[];
  }

  /**
   * Replaces the node-local data of the node at `path` (children are kept). Returns the root hash (of the
   * transaction head with `txid`). Identical data is a no-op (PRE_UPDATE still runs).
   */
  update(path: string, data: Message, options: UpdateOptions = {}): Promise<MutationResult> {
    return this.mutation(() => this.doUpdate(path, data, options));
  }

  /** Adds a child to the keyed container at `path`; child-node fields inside `data` become nodes. */
  add(path: string, data: Message, options: WriteOptions = {}): Promise<MutationResult> {
    return this.mutation(() => this.doAdd(path, data, options));
  }

  /** Removes the child at `path` (`<container>/<key>`). */
  remove(path: string, options: WriteOptions = {}): Promise<MutationResult> {
    return this.mutation(() => this.doRemove(path, options));
  }

  /**
   * The proxy of the node at `path` (one per node, created lazily). ValueError for a container path or
   * when the node's proxy is exclusive; an exclusive request on a node with a shared proxy returns it.
   */
  getProxy(path = '/', exclusive = false): ConfigProxy {
    const r = resolvePath(this.latestRev, '/', path, 'read');
    if (r.kind === 'container') throw new ConfigValueError('Cannot proxy a container field');
    const node = r.rev.node;
    if (node.proxy) {
      if (node.proxy.exclusive) throw new ConfigValueError('Node is already owned exclusively');
      return node.proxy;
    }
    node.proxy = new ConfigProxy(this.proxyHost, node, exclusive);
    return node.proxy;
  }

  /** Revision hash of the node at `path` in the latest committed root (or in a transaction's head). */
  nodeHash(path = '/', options: { txid?: string } = {}): string {
    const tx = options.txid === undefined ? undefined : this.transactions.get(options.txid);
    const r = resolvePath(tx ? tx.head : this.latestRev, '/', path, 'read');
    if (r.kind !== 'node') throw new ConfigValueError(`${path} is a container`);
    return r.rev.hash;
  }

  // ------------------------------------------------------------------ tags, diff, history

  /** Points a tag at the latest revision or at a retained revision (KeyError for an unknown hash). */
  tag(name: string, hash?: string): Promise<void> {
    return this.mutation(async () => {
      const target = hash ?? this.latestRev.hash;
      if (!this.history.has(target)) throw new ConfigKeyError(`unknown revision ${target}`);
      const tags = new Map(this.tagMap).set(name, target);
      await this.rewritePointer(tags);
    });
  }

  /** Tag names, sorted. */
  get tags(): string[] {
    return [...this.tagMap.keys()].sort();
  }

  /** Root revision hash of a tag (KeyError if unknown). */
  byTag(name: string): string {
    const h = this.tagMap.get(name);
    if (h === undefined) throw new ConfigKeyError(`unknown tag ${name}`);
    return h;
  }

  deleteTag(name: string): Promise<void> {
    return this.deleteTags(name);
  }

  deleteTags(...names: string[]): Promise<void> {
    return this.mutation(async () => {
      for (const n of names) if (!this.tagMap.has(n)) throw new ConfigKeyError(`unknown tag ${n}`);
      const tags = new Map(this.tagMap);
      for (const n of names) tags.delete(n);
      await this.rewritePointer(tags);
    });
  }

  /**
   * RFC 6902 patch between the node-local data (defaults included, proto field names) of the node at
   * `path` in two root revisions (`hash2` defaults to the latest).
   */
  async diff(hash1: string, hash2?: string, path = '/'): Promise<JsonPatchOperation[]> {
    const a = await this.revisionByHash(hash1);
    const b = hash2 === undefined ? this.latestRev : await this.revisionByHash(hash2);
    const ra = resolvePath(a, '/', path, 'read');
    const rb = resolvePath(b, '/', path, 'read');
    if (ra.kind !== 'node' || rb.kind !== 'node') throw new ConfigValueError('diff needs a node path');
    if (ra.rev.hash === rb.rev.hash) return [];
    return jsonDiff(ra.rev.info.toJson(ra.rev.config.data), rb.rev.info.toJson(rb.rev.config.data));
  }

  async diffByTag(tag1: string, tag2: string, path = '/'): Promise<JsonPatchOperation[]> {
    return this.diff(this.byTag(tag1), this.byTag(tag2), path);
  }

  /** Drops every history entry except the tagged ones and the latest (1.x `prune_untagged`). */
  prune(): Promise<void> {
    return this.mutation(async () => {
      const keep = new Set([...this.tagMap.values(), this.latestRev.hash]);
      const evicted = [...this.history.keys()].filter((h) => !keep.has(h));
      const keys = [...this.history.keys()].filter((h) => keep.has(h));
      await this.persist(undefined, { isNew: false, evicted, keys }, this.tagMap, this.seqNo);
      for (const h of evicted) this.history.delete(h);
    });
  }

  // ------------------------------------------------------------------ transactions

  /** Opens a transaction on the root proxy. */
  openTransaction(options: TransactionOptions = {}): Transaction {
    return this.openTx(this.getProxy('/'), options);
  }

  /** Commits a transaction by id (NOT_FOUND for an unknown id; ABORTED on conflict). Returns the root hash. */
  commitTransaction(txid: string): Promise<MutationResult> {
    return this.mutation(() => this.doCommit(txid));
  }

  /** Cancels a transaction by id (NOT_FOUND for an unknown id). */
  cancelTransaction(txid: string): void {
    const tx = this.transactions.get(txid);
    if (!tx) throw new ConfigKeyError(`unknown transaction ${txid}`);
    this.closeTx(tx);
  }

  /** Ids of the open transactions. */
  get transactionIds(): string[] {
    return [...this.transactions.keys()];
  }

  /** Ids of the open transactions that have a branch on the node at `path` (the root: all of them). */
  transactionBranches(path = '/'): string[] {
    const r = resolvePath(this.latestRev, '/', path, 'read');
    if (r.kind !== 'node') throw new ConfigValueError('transactionBranches needs a node path');
    return [...this.transactions.values()].filter((t) => t.touched.has(r.rev.node)).map((t) => t.txid);
  }

  /** Transaction bookkeeping held by the tree (for leak checks). */
  transactionBookkeeping(): { open: number; touchedNodes: number; timers: number } {
    let touchedNodes = 0;
    let timers = 0;
    for (const t of this.transactions.values()) {
      touchedNodes += t.touched.size;
      if (t.timer) timers++;
    }
    return { open: this.transactions.size, touchedNodes, timers };
  }

  // ------------------------------------------------------------------ events, lifecycle, diagnostics

  /** Subscribes to change events; returns the unsubscribe function. */
  subscribe(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Waits for running mutations, cancels open transactions and rejects further mutations. Persisted data
   * is never touched.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.executor.run(async () => undefined);
    this.closed = true;
    for (const tx of [...this.transactions.values()]) this.closeTx(tx);
    this.listeners.clear();
  }

  /** Distinct revision and config objects retained in memory (history, tags, latest, transactions). */
  liveObjectCount(): { revisions: number; configs: number } {
    const revs = new Set<Revision>();
    const configs = new Set<ConfigData>();
    const chunks = new Set<MstNode<Revision>>();
    const stack: Revision[] = [this.latestRev];
    for (const r of this.history.values()) if (r) stack.push(r);
    for (const t of this.transactions.values()) stack.push(t.fork, t.head);
    while (stack.length > 0) {
      const r = stack.pop() as Revision;
      if (revs.has(r)) continue;
      revs.add(r);
      configs.add(r.config);
      for (const slot of r.children) {
        if (slot instanceof Revision) stack.push(slot);
        else if (slot instanceof KeyedChildren) {
          const nodes = slot.tree ? [slot.tree] : [];
          while (nodes.length > 0) {
            const n = nodes.pop() as MstNode<Revision>;
            if (chunks.has(n)) continue;
            chunks.add(n);
            for (const item of n.items) stack.push(item.value);
            for (const k of n.kids) if (k) nodes.push(k);
          }
        } else stack.push(...slot);
      }
    }
    return { revisions: revs.size, configs: configs.size };
  }

  /** Number of blobs the persistence index tracks (0 without a store). */
  get persistedBlobCount(): number {
    return this.index?.size ?? 0;
  }

  /**
   * Deletes blobs of the store that no retained revision references (orphans left by crashes). Needs a
   * store implementing `listBlobKeys`. Returns the number of deleted blobs.
   */
  sweepOrphans(): Promise<number> {
    return this.mutation(async () => {
      if (!this.store?.listBlobKeys || !this.index) return 0;
      const index = this.index;
      const orphans = (await this.store.listBlobKeys()).filter((k) => !index.has(k));
      if (orphans.length > 0) {
        await this.store.commit({
          puts: new Map(),
          deletes: orphans,
          root: this.pointer(this.latestRev.hash, [...this.history.keys()], this.tagMap, this.seqNo)
        });
      }
      return orphans.length;
    });
  }

  // ------------------------------------------------------------------ internals: reads

  private async readAt(node: ConfigNode, path: string, options: ReadOptions): Promise<Message | Message[]> {
    let rev = node.latest;
    const tx = options.txid === undefined ? undefined : this.transactions.get(options.txid);
    if (tx) {
      const txPath = tx.touched.get(node);
      if (txPath !== undefined) {
        try {
          const r = resolvePath(tx.head, '/', txPath, 'read');
          if (r.kind === 'node' && r.rev.node === node) rev = r.rev;
        } catch {
          // removed inside the transaction: fall back to the committed data
        }
      }
    }
    return this.read(resolvePath(rev, node.path, path, 'read'), options);
  }

  private async read(r: Resolved, options: ReadOptions): Promise<Message | Message[]> {
    const depth = options.deep ? -1 : (options.depth ?? 0);
    if (r.kind === 'node') return this.applyGet(r.rev.node, assemble(r.rev, depth));
    const slot = r.rev.children[r.fieldIndex];
    const revs = slot instanceof KeyedChildren ? [...slot.values()] : (slot as readonly Revision[]);
    const out: Message[] = [];
    for (const child of revs) out.push(await this.applyGet(child.node, assemble(child, depth)));
    return out;
  }

  private async applyGet(node: ConfigNode, value: Message): Promise<Message> {
    if (!node.proxy) return value;
    for (const reg of node.proxy.registrations(CallbackType.GET)) {
      const out = await reg.fn(value, ...reg.args);
      if (out !== undefined) value = out as Message;
    }
    return value;
  }

  private async revisionByHash(hash: string): Promise<Revision> {
    if (!this.history.has(hash)) throw new ConfigKeyError(`unknown revision ${hash}`);
    const r = this.history.get(hash);
    if (r) return r;
    const loader = new RevisionLoader(this.store as TreeStore, this.schema);
    await loader.fetch([hash]);
    return loader.build(hash, this.latestRev.info, '/');
  }

  // ------------------------------------------------------------------ internals: mutations

  private mutation<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ConfigTreeClosedError());
    return this.executor.run(fn);
  }

  /** The transaction of a write (KeyError for an unknown id). */
  private txFor(txid: string | undefined): TxState | undefined {
    if (txid === undefined) return undefined;
    const tx = this.transactions.get(txid);
    if (!tx) throw new ConfigKeyError(`unknown transaction ${txid}`);
    this.touchTx(txid);
    return tx;
  }

  private headOf(tx: TxState | undefined): Revision {
    if (!tx) return this.latestRev;
    if (this.transactions.get(tx.txid) !== tx) throw new ClosedTransactionError();
    return tx.head;
  }

  private async doUpdate(path: string, data: Message, options: UpdateOptions): Promise<MutationResult> {
    const tx = this.txFor(options.txid);
    const first = resolvePath(this.headOf(tx), '/', path, 'write');
    if (first.kind === 'container') throw new ConfigValueError('Cannot update a list');
    const info = first.rev.info;
    checkType(data, info.typeName);
    const normalized = info.normalize(data);
    if (childFieldsWithData(info, normalized).length > 0) {
      throw new ConfigNotImplementedError('Cannot update external children', 'INVALID_ARGUMENT');
    }
    if (first.keyField && keyOf(first.keyField, normalized) !== first.key) {
      throw new ConfigValueError('Cannot change key field');
    }
    await this.invokePre(first.rev.node, CallbackType.PRE_UPDATE, normalized);
    const outcome = await this.executor.exclusive(async (): Promise<Outcome> => {
      const base = this.headOf(tx);
      const r = resolvePath(base, '/', path, 'write') as ResolvedNode;
      const config = new ConfigData(info, normalized);
      if (config.hash === r.rev.config.hash) return {};
      if (options.strict) {
        const changed = readOnlyViolations(info, r.rev.config.data, normalized);
        if (changed.length > 0) throw new ConfigValueError(`Read-only fields changed: ${changed.join(', ')}`);
      }
      const revs = rebuildPath(r.steps, r.rev.withConfig(config));
      const paths = [r.path, ...stepPaths(r.steps)];
      const ann: Announcement = {
        type: CallbackType.POST_UPDATE,
        node: r.rev.node,
        path: r.path,
        data: normalized
      };
      return this.apply(tx, revs, paths, [ann]);
    });
    return this.finish(outcome);
  }

  private async doAdd(path: string, data: Message, options: WriteOptions): Promise<MutationResult> {
    const tx = this.txFor(options.txid);
    const first = resolvePath(this.headOf(tx), '/', path, 'write');
    if (first.kind === 'node') throw new ConfigValueError('Cannot add to non-container node');
    const field = first.field;
    if (!field.key) throw new ConfigValueError(`Cannot add to non-keyed container ${field.name}`);
    checkType(data, field.typeName);
    const childInfo = this.schema.typeInfo(field.typeName);
    const normalized = childInfo.normalize(data);
    const key = keyOf(field, normalized);
    await this.invokePre(first.rev.node, CallbackType.PRE_ADD, normalized);
    const outcome = await this.executor.exclusive(async (): Promise<Outcome> => {
      const r = resolvePath(this.headOf(tx), '/', path, 'write');
      if (r.kind !== 'container') throw new ConfigValueError('Cannot add to non-container node');
      const kc = r.rev.children[r.fieldIndex] as KeyedChildren<Revision>;
      if (kc.has(key)) throw new ConfigValueError(`Duplicate key ${field.key?.name}=${key}`);
      const child = buildRevision(
        this.schema,
        childInfo,
        childInfo.clone(normalized),
        joinPath(r.path, field.name, key)
      );
      const owner = r.rev.withSlot(r.fieldIndex, kc.append(key, child));
      const revs = rebuildPath(r.steps, owner);
      const paths = [r.path, ...stepPaths(r.steps)];
      const ann: Announcement = {
        type: CallbackType.POST_ADD,
        node: r.rev.node,
        path: r.path,
        data: normalized
      };
      return this.apply(tx, revs, paths, [ann]);
    });
    return this.finish(outcome);
  }

  private async doRemove(path: string, options: WriteOptions): Promise<MutationResult> {
    const tx = this.txFor(options.txid);
    const first = resolvePath(this.headOf(tx), '/', path, 'write');
    if (first.kind === 'container')
      throw new ConfigValueError('Cannot remove a container; the path needs a key');
    if (!first.keyField) throw new ConfigValueError('Cannot remove a node that is not in a keyed container');
    const ownerStep = first.steps[first.steps.length - 1];
    await this.invokePre(ownerStep.rev.node, CallbackType.PRE_REMOVE, assemble(first.rev, 0));
    const outcome = await this.executor.exclusive(async (): Promise<Outcome> => {
      const r = resolvePath(this.headOf(tx), '/', path, 'write') as ResolvedNode;
      const steps = r.steps.slice(0, -1);
      const step = r.steps[r.steps.length - 1];
      const kc = step.rev.children[step.fieldIndex] as KeyedChildren<Revision>;
      const owner = step.rev.withSlot(step.fieldIndex, kc.remove(step.key as string));
      const revs = rebuildPath(steps, owner);
      const paths = [step.path, ...stepPaths(steps)];
      const ann: Announcement = {
        type: CallbackType.POST_REMOVE,
        node: step.rev.node,
        path: step.path,
        data: assemble(r.rev, 0)
      };
      return this.apply(tx, revs, paths, [ann]);
    });
    return this.finish(outcome);
  }

  private async doCommit(txid: string): Promise<MutationResult> {
    const tx = this.transactions.get(txid);
    if (!tx) throw new ConfigKeyError(`unknown transaction ${txid}`);
    const outcome = await this.executor.exclusive(async (): Promise<Outcome> => {
      if (this.transactions.get(txid) !== tx) throw new ClosedTransactionError();
      try {
        const { root, announcements } = merge3way(tx.fork, tx.head, this.latestRev);
        if (root.hash === this.latestRev.hash) return {};
        const changed: Revision[] = [];
        for (const [node, path] of tx.touched) {
          try {
            const r = resolvePath(root, '/', path, 'read');
            if (r.kind === 'node' && r.rev.node === node) changed.push(r.rev);
          } catch {
            // removed by the transaction or on main
          }
        }
        return { committed: await this.commitRoot(root, changed, announcements) };
      } finally {
        this.closeTx(tx);
      }
    });
    return this.finish(outcome);
  }

  /** Applies the result of a write: to the transaction head, or as a new committed root revision. */
  private async apply(
    tx: TxState | undefined,
    revs: Revision[],
    paths: string[],
    announcements: Announcement[]
  ): Promise<Outcome> {
    const root = revs[revs.length - 1];
    if (tx) {
      tx.head = root;
      revs.forEach((r, i) => tx.touched.set(r.node, paths[i]));
      return {};
    }
    return { committed: await this.commitRoot(root, revs, announcements) };
  }

  private async finish(outcome: Outcome): Promise<MutationResult> {
    const c = outcome.committed;
    if (!c) return { rootHash: this.latestRev.hash, seq: this.seqNo };
    await this.deliver(c);
    return { rootHash: c.rootHash, seq: c.seq };
  }

  /** Persists and publishes a new committed root revision; runs inside the exclusive phase. */
  private async commitRoot(
    root: Revision,
    changed: Iterable<Revision>,
    announcements: Announcement[]
  ): Promise<Committed> {
    const seq = this.seqNo + 1;
    const plan = this.planHistory(root.hash, this.tagMap);
    await this.persist(root, plan, this.tagMap, seq);
    this.history.delete(root.hash);
    this.history.set(root.hash, root);
    for (const h of plan.evicted) this.history.delete(h);
    this.latestRev = root;
    this.seqNo = seq;
    for (const r of changed) r.node.latest = r;
    return { announcements, seq, rootHash: root.hash };
  }

  /** Which history entries a new latest (or a tag change) evicts; never the latest or tagged ones. */
  private planHistory(newHash: string | undefined, tags: ReadonlyMap<string, string>): HistoryPlan {
    const tagged = new Set(tags.values());
    const isNew = newHash !== undefined && !this.history.has(newHash);
    const latest = newHash ?? this.latestRev.hash;
    let untagged = this.history.size + (isNew ? 1 : 0) - tagged.size;
    const evicted: string[] = [];
    if (untagged > this.historySize) {
      for (const h of this.history.keys()) {
        if (untagged <= this.historySize) break;
        if (tagged.has(h) || h === latest) continue;
        evicted.push(h);
        untagged--;
      }
    }
    let keys: string[] = [];
    if (this.store) {
      const gone = new Set(evicted);
      keys = [...this.history.keys()].filter((h) => !gone.has(h) && h !== latest);
      keys.push(latest);
    }
    return { isNew, evicted, keys };
  }

  private async rewritePointer(tags: Map<string, string>): Promise<void> {
    const plan = this.planHistory(undefined, tags);
    await this.persist(undefined, plan, tags, this.seqNo);
    for (const h of plan.evicted) this.history.delete(h);
    this.tagMap.clear();
    for (const [k, v] of tags) this.tagMap.set(k, v);
  }

  /** Writes one store batch: new blobs, GC deletes, the root pointer. No-op without a store. */
  private async persist(
    root: Revision | undefined,
    plan: HistoryPlan,
    tags: ReadonlyMap<string, string>,
    seq: number
  ): Promise<void> {
    if (!this.store || !this.index) return;
    const batch = this.index.begin();
    if (root) batch.registerRevision(root);
    if (root && plan.isNew) batch.retain(root.hash);
    for (const h of plan.evicted) batch.release(h);
    await this.storeCommit(batch, this.pointer(root ? root.hash : this.latestRev.hash, plan.keys, tags, seq));
  }

  private async storeCommit(batch: BlobBatch, root: RootPointer): Promise<void> {
    const { puts, deletes } = batch.result();
    try {
      await (this.store as TreeStore).commit({ puts, deletes, root });
    } catch (e) {
      batch.rollback();
      if (e instanceof ConfigTreeError) throw e;
      throw new ConfigStoreError(`store commit failed: ${(e as Error).message}`, 'UNAVAILABLE');
    }
  }

  /** The root pointer (takes ownership of `history`). */
  private pointer(
    latest: string,
    history: readonly string[],
    tags: ReadonlyMap<string, string>,
    seq: number
  ): RootPointer {
    const sorted = [...tags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { layout: LAYOUT_VERSION, latest, tags: Object.fromEntries(sorted), seq, history };
  }

  // ------------------------------------------------------------------ internals: callbacks and events

  private async invokePre(node: ConfigNode, type: CallbackType, data: Message): Promise<void> {
    const proxy = node.proxy;
    if (!proxy) return;
    const info = this.infoOf(data);
    for (const reg of proxy.registrations(type)) await reg.fn(info.clone(data), ...reg.args);
  }

  /** Publishes the events of a commit, then runs the POST callbacks in order (errors are logged). */
  private async deliver(committed: Committed): Promise<void> {
    const timestamp = this.clock();
    for (const ann of committed.announcements) {
      const type = EVENT_TYPES[ann.type];
      if (!type || this.listeners.size === 0) continue;
      const info = this.infoOf(ann.data);
      const event: ConfigChangeEvent = {
        type,
        hash: ann.node.latest.hash,
        data: JSON.stringify(info.toJson(ann.data)),
        message: info.clone(ann.data),
        typeName: info.typeName,
        path: ann.path,
        rootHash: committed.rootHash,
        seq: committed.seq,
        timestamp
      };
      for (const listener of [...this.listeners]) {
        try {
          const r = listener(event);
          if (r instanceof Promise) r.catch((e: unknown) => this.logError('subscriber-error', e, ann));
        } catch (e) {
          this.logError('subscriber-error', e, ann);
        }
      }
    }
    for (const ann of committed.announcements) {
      const proxy = ann.node.proxy;
      if (!proxy) continue;
      const info = this.infoOf(ann.data);
      for (const reg of proxy.registrations(ann.type)) {
        try {
          await reg.fn(info.clone(ann.data), ...reg.args);
        } catch (e) {
          this.logError('callback-error', e, ann);
        }
      }
    }
  }

  private logError(event: string, e: unknown, ann: Announcement): void {
    this.logger.warn(event, {
      type: CallbackType[ann.type],
      path: ann.path,
      error: (e as Error)?.message ?? e
    });
  }

  private infoOf(data: Message): TypeInfo {
    return this.schema.typeInfo(data.$type);
  }

  // ------------------------------------------------------------------ internals: transactions

  private openTx(proxy: ConfigProxy, options: TransactionOptions): Transaction {
    if (this.closed) throw new ConfigTreeClosedError();
    let txid = randomBytes(6).toString('hex');
    while (this.transactions.has(txid)) txid = randomBytes(6).toString('hex');
    const rootNode = this.latestRev.node;
    const tx: TxState = {
      txid,
      fork: this.latestRev,
      head: this.latestRev,
      touched: new Map([[rootNode, '/']]),
      idleTimeoutMs: options.idleTimeoutMs ?? this.idleTimeoutMs,
      timer: undefined
    };
    this.transactions.set(txid, tx);
    this.touchTx(txid);
    return new Transaction(this.txHost, proxy, txid);
  }

  private touchTx(txid: string): void {
    const tx = this.transactions.get(txid);
    if (!tx || tx.idleTimeoutMs <= 0) return;
    if (tx.timer) clearTimeout(tx.timer);
    tx.timer = setTimeout(() => {
      if (this.transactions.get(txid) !== tx) return;
      this.closeTx(tx);
      this.logger.warn('transaction-expired', { txid, idleTimeoutMs: tx.idleTimeoutMs });
    }, tx.idleTimeoutMs);
    tx.timer.unref?.();
  }

  private closeTx(tx: TxState): void {
    if (tx.timer) clearTimeout(tx.timer);
    tx.timer = undefined;
    tx.touched.clear();
    this.transactions.delete(tx.txid);
  }
}

function stepPaths(steps: readonly PathStep[]): string[] {
  const out: string[] = [];
  for (let i = steps.length - 1; i >= 0; i--) out.push(steps[i].path);
  return out;
}
