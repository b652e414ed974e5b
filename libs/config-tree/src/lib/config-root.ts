import { randomBytes } from 'node:crypto';

import { BlobBatch, BlobIndex, LAYOUT_VERSION } from './blob-index';
import { CallbackType } from './callback-type';
import { CommitPipeline } from './commit-pipeline';
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

/**
 * The root as one side sees it: `head` (what writers build on, including commits still in flight) or
 * `durable` (what the store has acknowledged; what readers see). Without a store both are the same object.
 */
interface RootState {
  rev: Revision;
  seq: number;
  /** Retained root revisions, oldest first (null: persisted, not loaded in memory). */
  readonly history: Map<string, Revision | null>;
  /** Tag name -> root hash. Replaced on change, never mutated. */
  tags: ReadonlyMap<string, string>;
}

function copyState(s: RootState): RootState {
  return { rev: s.rev, seq: s.seq, history: new Map(s.history), tags: s.tags };
}

/**
 * One commit: a new latest root and/or a pointer change (tags, pruning), or nothing but a place in the
 * commit order (a transaction closed while commits were in flight). It is applied to `head` when made, and
 * to `durable` (plus node `latest` pointers, events, transaction clean-up) once its batch is durable. Its
 * undo is the blob batch's op log plus `durable` itself (see `rollback`).
 */
interface CommitRecord {
  /** New latest root revision (undefined: the latest stays). */
  readonly root: Revision | undefined;
  /** History entries dropped by this commit (in the order they are dropped). */
  readonly evicted: readonly string[];
  /** New tags (undefined: unchanged). */
  readonly tags: ReadonlyMap<string, string> | undefined;
  readonly seq: number;
  /** Revisions that become their node's `latest`. */
  readonly changed: readonly Revision[];
  readonly announcements: readonly Announcement[];
  /** The transaction this commit closes (re-opened if the commit fails). */
  readonly tx: TxState | undefined;
  /** Events are published by the pipeline (true) or by the mutation itself after durability (false). */
  readonly pipelined: boolean;
  /** Reference-count changes of the batch (undo log for the blob index). */
  batch: BlobBatch | undefined;
  /** Pipelined: settles when the event listeners' writes (and any late POST callbacks) finished. */
  followUp: Promise<void> | undefined;
}

/** What the serial part of a mutation hands back to {@link ConfigRoot.mutation}. */
interface Step<T> {
  readonly value: T;
  /** Pipelined: durability of the mutation's commit (or of the commits its outcome was evaluated on). */
  readonly wait?: Promise<void>;
  /** Pipelined commit: its record (for the follow-up of its event listeners). */
  readonly record?: CommitRecord;
  /** Fallback or without a store: the record whose events and POST callbacks the mutation delivers. */
  readonly deliver?: CommitRecord;
}

/** A failed mutation whose error must wait for the commits it was evaluated on. */
interface Failure {
  readonly error: unknown;
  readonly wait: Promise<void>;
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
 * Every mutation (update/add/remove, commit, tag changes, prune) runs its in-memory phase through one
 * serial executor and builds on the in-memory head; store commits are pipelined (several batches in flight,
 * handed to the store in order). Reads never wait and see only durable state. Mutations resolve after the
 * store committed their batch and after their POST callbacks, event listeners and everything those started
 * finished; if the store rejects a batch, that mutation and every later one in flight fail and the tree
 * returns exactly to the state before it.
 */
export class ConfigRoot {
  private readonly schema: ConfigSchema;
  private readonly store: TreeStore | undefined;
  private readonly historySize: number;
  private readonly idleTimeoutMs: number;
  private readonly logger: ConfigTreeLogger;
  private readonly clock: () => number;
  private readonly executor = new SerialExecutor();
  private readonly pipeline: CommitPipeline<CommitRecord>;
  /** What writers build on: the durable state plus every commit in flight. */
  private head: RootState;
  /** What the store has acknowledged; what readers see. The same object as `head` without a store. */
  private readonly durable: RootState;
  private readonly transactions = new Map<string, TxState>();
  /** Transactions whose commit is in flight (closed for callers; re-opened if the commit fails). */
  private readonly committing = new Set<TxState>();
  private readonly listeners = new Set<ConfigChangeListener>();
  private closed = false;
  private readonly proxyHost: ProxyHost;
  private readonly txHost: TransactionHost;

  private constructor(
    options: ConfigRootOptions,
    latest: Revision,
    /** Retained root revisions, oldest first (null: persisted, not loaded in memory). */
    history: Map<string, Revision | null>,
    tags: ReadonlyMap<string, string>,
    seq: number,
    private readonly index: BlobIndex | undefined
  ) {
    this.head = { rev: latest, seq, history, tags };
    this.durable = options.store ? copyState(this.head) : this.head;
    this.pipeline = new CommitPipeline<CommitRecord>({
      durable: (c) => this.makeDurable(c),
      failed: (cs, e) => this.rollback(cs, e),
      warn: (event, fields) => this.logger.warn(event, fields)
    });
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
      await root.commitDirect(batch, root.pointer(rev.hash, [rev.hash], root.head.tags, 0));
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
      await root.commitDirect(batch, root.pointer(latest.hash, [...history.keys()], tags, pointer.seq));
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

  /** Hash of the latest durable root revision. */
  get latestHash(): string {
    return this.durable.rev.hash;
  }

  /** Full type name of the root message. */
  get typeName(): string {
    return this.durable.rev.info.typeName;
  }

  /** Retained durable root revision hashes, oldest first (the latest is last). */
  get revisions(): string[] {
    return [...this.durable.history.keys()];
  }

  /** Commit sequence number of the latest durable revision (persisted; continues across restarts). */
  get seq(): number {
    return this.durable.seq;
  }

  // ------------------------------------------------------------------ path API

  /**
   * Reads a node (a copy of its data with `depth` levels of children) or, for a container path, the list
   * of its children. GET callbacks of the node(s) at the end of the path are applied.
   */
  async get(path = '/', options: GetOptions = {}): Promise<Message | Message[]> {
    let rev: Revision;
    if (options.hash !== undefined) rev = await this.revisionByHash(options.hash);
    else if (options.txid !== undefined) rev = this.transactions.get(options.txid)?.head ?? this.durable.rev;
    else rev = this.durable.rev;
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
    return this.mutation(() => this.doUpdate(path, data, options), options.txid === undefined);
  }

  /** Adds a child to the keyed container at `path`; child-node fields inside `data` become nodes. */
  add(path: string, data: Message, options: WriteOptions = {}): Promise<MutationResult> {
    return this.mutation(() => this.doAdd(path, data, options), options.txid === undefined);
  }

  /** Removes the child at `path` (`<container>/<key>`). */
  remove(path: string, options: WriteOptions = {}): Promise<MutationResult> {
    return this.mutation(() => this.doRemove(path, options), options.txid === undefined);
  }

  /**
   * The proxy of the node at `path` (one per node, created lazily). ValueError for a container path or
   * when the node's proxy is exclusive; an exclusive request on a node with a shared proxy returns it.
   */
  getProxy(path = '/', exclusive = false): ConfigProxy {
    const r = resolvePath(this.durable.rev, '/', path, 'read');
    if (r.kind === 'container') throw new ConfigValueError('Cannot proxy a container field');
    const node = r.rev.node;
    if (node.proxy) {
      if (node.proxy.exclusive) throw new ConfigValueError('Node is already owned exclusively');
      return node.proxy;
    }
    node.proxy = new ConfigProxy(this.proxyHost, node, exclusive);
    return node.proxy;
  }

  /** Revision hash of the node at `path` in the latest durable root (or in a transaction's head). */
  nodeHash(path = '/', options: { txid?: string } = {}): string {
    const tx = options.txid === undefined ? undefined : this.transactions.get(options.txid);
    const r = resolvePath(tx ? tx.head : this.durable.rev, '/', path, 'read');
    if (r.kind !== 'node') throw new ConfigValueError(`${path} is a container`);
    return r.rev.hash;
  }

  // ------------------------------------------------------------------ tags, diff, history

  /**
   * Points a tag at the latest revision or at a retained revision (KeyError for an unknown hash). Like every
   * write it builds on the in-memory head: without `hash` it tags the newest revision, durable or not.
   */
  tag(name: string, hash?: string): Promise<void> {
    return this.mutation(async () => {
      await this.ready();
      const target = hash ?? this.head.rev.hash;
      if (!this.head.history.has(target)) throw new ConfigKeyError(`unknown revision ${target}`);
      const tags = new Map(this.head.tags).set(name, target);
      return this.pointerCommit(this.planHistory(this.head, undefined, tags), tags);
    });
  }

  /** Tag names (durable), sorted. */
  get tags(): string[] {
    return [...this.durable.tags.keys()].sort();
  }

  /** Root revision hash of a (durable) tag (KeyError if unknown). */
  byTag(name: string): string {
    const h = this.durable.tags.get(name);
    if (h === undefined) throw new ConfigKeyError(`unknown tag ${name}`);
    return h;
  }

  deleteTag(name: string): Promise<void> {
    return this.deleteTags(name);
  }

  deleteTags(...names: string[]): Promise<void> {
    return this.mutation(async () => {
      await this.ready();
      for (const n of names) if (!this.head.tags.has(n)) throw new ConfigKeyError(`unknown tag ${n}`);
      const tags = new Map(this.head.tags);
      for (const n of names) tags.delete(n);
      return this.pointerCommit(this.planHistory(this.head, undefined, tags), tags);
    });
  }

  /**
   * RFC 6902 patch between the node-local data (defaults included, proto field names) of the node at
   * `path` in two root revisions (`hash2` defaults to the latest).
   */
  async diff(hash1: string, hash2?: string, path = '/'): Promise<JsonPatchOperation[]> {
    const a = await this.revisionByHash(hash1);
    const b = hash2 === undefined ? this.durable.rev : await this.revisionByHash(hash2);
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
      await this.ready();
      const head = this.head;
      const keep = new Set([...head.tags.values(), head.rev.hash]);
      const evicted = [...head.history.keys()].filter((h) => !keep.has(h));
      const keys = [...head.history.keys()].filter((h) => keep.has(h));
      return this.pointerCommit({ isNew: false, evicted, keys }, undefined);
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
    const r = resolvePath(this.durable.rev, '/', path, 'read');
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
    // Running and queued mutations, commits in flight, and writes their event listeners started.
    do await this.executor.run(() => this.pipeline.idle());
    while (!this.executor.inTask && this.executor.pending > 0);
    this.closed = true;
    for (const tx of [...this.transactions.values()]) this.closeTx(tx);
    this.listeners.clear();
  }

  /**
   * Distinct revision and config objects retained in memory (history, tags, latest, transactions; durable and
   * in flight).
   */
  liveObjectCount(): { revisions: number; configs: number } {
    const revs = new Set<Revision>();
    const configs = new Set<ConfigData>();
    const chunks = new Set<MstNode<Revision>>();
    const stack: Revision[] = [this.head.rev, this.durable.rev];
    for (const r of this.head.history.values()) if (r) stack.push(r);
    if (this.durable !== this.head) for (const r of this.durable.history.values()) if (r) stack.push(r);
    for (const t of [...this.transactions.values(), ...this.committing]) stack.push(t.fork, t.head);
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

  /** Number of blobs the persistence index tracks, commits in flight included (0 without a store). */
  get persistedBlobCount(): number {
    return this.index?.size ?? 0;
  }

  /**
   * Diagnostics: the reference count of every blob the persistence index tracks (commits in flight included;
   * empty without a store). When no commit is in flight it equals the counts a fresh load of the store builds.
   */
  blobRefCounts(): Map<string, number> {
    const out = new Map<string, number>();
    if (this.index) for (const k of this.index.keys()) out.set(k, this.index.refs(k));
    return out;
  }

  /** Diagnostics: store commits in flight (handed to the store, not yet durable or failed). */
  get commitsInFlight(): number {
    return this.pipeline.storeCallsInFlight;
  }

  /**
   * Deletes blobs of the store that no retained revision references (orphans left by crashes). Needs a
   * store implementing `listBlobKeys`. Returns the number of deleted blobs.
   */
  sweepOrphans(): Promise<number> {
    return this.mutation(async () => {
      if (!this.store?.listBlobKeys || !this.index) return { value: 0 };
      // Not pipelined: the index must equal the store's content while the keys are listed and deleted.
      await this.pipeline.idle();
      const index = this.index;
      const head = this.head;
      const orphans = (await this.store.listBlobKeys()).filter((k) => !index.has(k));
      if (orphans.length > 0) {
        await this.store.commit({
          puts: new Map(),
          deletes: orphans,
          root: this.pointer(head.rev.hash, [...head.history.keys()], head.tags, head.seq)
        });
      }
      return { value: orphans.length };
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
    const history = this.durable.history;
    if (!history.has(hash)) throw new ConfigKeyError(`unknown revision ${hash}`);
    const r = history.get(hash);
    if (r) return r;
    const loader = new RevisionLoader(this.store as TreeStore, this.schema);
    await loader.fetch([hash]);
    return loader.build(hash, this.durable.rev.info, '/');
  }

  // ------------------------------------------------------------------ internals: mutations

  /**
   * Runs a mutation. `task` is the serial part (PRE callbacks, in-memory phase, and for non-pipelined
   * commits the wait for durability and the delivery); it runs on the executor. A pipelined commit's task
   * ends after the in-memory phase and the mutation waits for durability here, outside the serial queue.
   * `dependsOnHead`: the outcome was evaluated on the in-memory head, so an error (or a no-op) is reported
   * only once the commits in flight it saw are durable; if one of them fails, the mutation fails with it.
   */
  private mutation<T>(task: () => Promise<Step<T>>, dependsOnHead = true): Promise<T> {
    if (this.closed) return Promise.reject(new ConfigTreeClosedError());
    const result = this.executor
      .run(async (): Promise<Step<T> | Failure> => {
        try {
          return await task();
        } catch (error) {
          const wait = dependsOnHead ? this.pipeline.tail() : undefined;
          if (!wait) throw error;
          return { error, wait };
        }
      })
      .then((step) => this.settle(step));
    // Started by an event listener of a pipelined commit: that commit's mutation waits for all of this one.
    this.executor.track(result);
    return result;
  }

  private async settle<T>(step: Step<T> | Failure): Promise<T> {
    if (step.wait) {
      await step.wait;
      const followUp = 'record' in step ? step.record?.followUp : undefined;
      if (followUp) await followUp;
    }
    if ('error' in step) throw step.error;
    return step.value;
  }

  /** Waits while the pipeline processes a store failure (nothing may build on the head meanwhile). */
  private async ready(): Promise<void> {
    for (let b = this.pipeline.blocked(); b; b = this.pipeline.blocked()) await b;
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
    if (!tx) return this.head.rev;
    if (this.transactions.get(tx.txid) !== tx) throw new ClosedTransactionError();
    return tx.head;
  }

  private async doUpdate(path: string, data: Message, options: UpdateOptions): Promise<Step<MutationResult>> {
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
    const step = await this.executor.exclusive(async (): Promise<Step<MutationResult>> => {
      if (this.pipeline.blocked()) await this.ready();
      const base = this.headOf(tx);
      const r = resolvePath(base, '/', path, 'write') as ResolvedNode;
      const config = new ConfigData(info, normalized);
      if (config.hash === r.rev.config.hash) return this.unchanged(tx);
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
    return this.finish(step);
  }

  private async doAdd(path: string, data: Message, options: WriteOptions): Promise<Step<MutationResult>> {
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
    const step = await this.executor.exclusive(async (): Promise<Step<MutationResult>> => {
      if (this.pipeline.blocked()) await this.ready();
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
    return this.finish(step);
  }

  private async doRemove(path: string, options: WriteOptions): Promise<Step<MutationResult>> {
    const tx = this.txFor(options.txid);
    const first = resolvePath(this.headOf(tx), '/', path, 'write');
    if (first.kind === 'container')
      throw new ConfigValueError('Cannot remove a container; the path needs a key');
    if (!first.keyField) throw new ConfigValueError('Cannot remove a node that is not in a keyed container');
    const ownerStep = first.steps[first.steps.length - 1];
    await this.invokePre(ownerStep.rev.node, CallbackType.PRE_REMOVE, assemble(first.rev, 0));
    const step = await this.executor.exclusive(async (): Promise<Step<MutationResult>> => {
      if (this.pipeline.blocked()) await this.ready();
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
    return this.finish(step);
  }

  private async doCommit(txid: string): Promise<Step<MutationResult>> {
    const tx = this.transactions.get(txid);
    if (!tx) throw new ConfigKeyError(`unknown transaction ${txid}`);
    const step = await this.executor.exclusive(async (): Promise<Step<MutationResult>> => {
      if (this.pipeline.blocked()) await this.ready();
      if (this.transactions.get(txid) !== tx) throw new ClosedTransactionError();
      // Closed for callers from here on; finally closed once the outcome is durable, re-opened otherwise.
      this.detachTx(tx);
      let merged: ReturnType<typeof merge3way>;
      try {
        merged = merge3way(tx.fork, tx.head, this.head.rev);
      } catch (e) {
        this.retireTx(tx);
        throw e;
      }
      const { root, announcements } = merged;
      if (root.hash === this.head.rev.hash) {
        this.retireTx(tx);
        return this.unchanged(undefined);
      }
      const changed: Revision[] = [];
      for (const [node, path] of tx.touched) {
        try {
          const r = resolvePath(root, '/', path, 'read');
          if (r.kind === 'node' && r.rev.node === node) changed.push(r.rev);
        } catch {
          // removed by the transaction or on main
        }
      }
      try {
        return await this.commitRoot(root, changed, announcements, tx);
      } catch (e) {
        // A failed commit re-opened it already; this only catches a failure before the store was involved.
        if (this.committing.has(tx)) this.reopenTx(tx);
        throw e;
      }
    });
    return this.finish(step);
  }

  /** Result of a write that changed nothing on main (a no-op, or a write inside a transaction). */
  private unchanged(tx: TxState | undefined): Step<MutationResult> {
    if (tx) return { value: { rootHash: this.durable.rev.hash, seq: this.durable.seq } };
    // Evaluated on the head: reported once the commits in flight are durable (it fails if they fail).
    return { value: { rootHash: this.head.rev.hash, seq: this.head.seq }, wait: this.pipeline.tail() };
  }

  /** Applies the result of a write: to the transaction head, or as a new committed root revision. */
  private async apply(
    tx: TxState | undefined,
    revs: Revision[],
    paths: string[],
    announcements: Announcement[]
  ): Promise<Step<MutationResult>> {
    const root = revs[revs.length - 1];
    if (tx) {
      tx.head = root;
      revs.forEach((r, i) => tx.touched.set(r.node, paths[i]));
      return this.unchanged(tx);
    }
    return this.commitRoot(root, revs, announcements, undefined);
  }

  /** After the in-memory phase, inside the task: events and POST callbacks of a non-pipelined commit. */
  private async finish<T>(step: Step<T>): Promise<Step<T>> {
    if (step.deliver) await this.deliver(step.deliver);
    return step;
  }

  /** Makes `root` the new latest root revision of the head and commits it (see {@link commit}). */
  private commitRoot(
    root: Revision,
    changed: Revision[],
    announcements: readonly Announcement[],
    tx: TxState | undefined
  ): Promise<Step<MutationResult>> {
    const head = this.head;
    const seq = head.seq + 1;
    const plan = this.planHistory(head, root.hash, head.tags);
    const record: CommitRecord = {
      root,
      evicted: plan.evicted,
      tags: undefined,
      seq,
      changed,
      announcements,
      tx,
      pipelined: this.canPipeline(announcements),
      batch: undefined,
      followUp: undefined
    };
    return this.commit(record, plan, { rootHash: root.hash, seq });
  }

  /** Commits a change of the root pointer only (tags, pruned history). */
  private pointerCommit(
    plan: HistoryPlan,
    tags: ReadonlyMap<string, string> | undefined
  ): Promise<Step<void>> {
    const record: CommitRecord = {
      root: undefined,
      evicted: plan.evicted,
      tags,
      seq: this.head.seq,
      changed: [],
      announcements: [],
      tx: undefined,
      pipelined: this.canPipeline([]),
      batch: undefined,
      followUp: undefined
    };
    return this.commit(record, plan, undefined);
  }

  /**
   * Pipelined commits need a store, no POST callbacks to run and a top-level mutation (nested writes from
   * callbacks keep the serial behaviour: the outer mutation waits for them in its task).
   */
  private canPipeline(announcements: readonly Announcement[]): boolean {
    return this.store !== undefined && !this.executor.nested && !this.hasPostCallbacks(announcements);
  }

  private hasPostCallbacks(announcements: readonly Announcement[]): boolean {
    return announcements.some((a) => (a.node.proxy?.callbackCount(a.type) ?? 0) > 0);
  }

  /**
   * Applies a commit to the head and hands its batch to the store (synchronously, in commit order, without
   * waiting for earlier batches). Pipelined: returns at once with the durability promise to wait for outside
   * the serial queue. Otherwise waits here (inside the task) and returns the record to deliver. Without a
   * store the commit is durable at once.
   */
  private async commit<T>(record: CommitRecord, plan: HistoryPlan, value: T): Promise<Step<T>> {
    const head = this.head;
    if (!this.store || !this.index) {
      applyState(head, record);
      this.makeDurable(record);
      return { value, deliver: record };
    }
    const batch = this.index.begin();
    if (record.root) batch.registerRevision(record.root);
    if (record.root && plan.isNew) batch.retain(record.root.hash);
    for (const h of plan.evicted) batch.release(h);
    record.batch = batch;
    const latest = record.root ? record.root.hash : head.rev.hash;
    const root = this.pointer(latest, plan.keys, record.tags ?? head.tags, record.seq);
    const { puts, deletes } = batch.result();
    applyState(head, record);
    const store = this.store;
    const durable = this.pipeline.submit(record, () => store.commit({ puts, deletes, root }));
    if (record.pipelined) return { value, wait: durable, record };
    await durable;
    return { value, deliver: record };
  }

  /** Pipeline hook, in commit order: the record's batch is durable; publish it to readers. */
  private makeDurable(record: CommitRecord): void {
    if (this.durable !== this.head) applyState(this.durable, record);
    for (const r of record.changed) r.node.latest = r;
    if (record.tx) this.closeTx(record.tx);
    if (!record.pipelined || record.announcements.length === 0) return;
    const post = this.hasPostCallbacks(record.announcements);
    if (this.listeners.size === 0 && !post) return;
    // Outside the serial queue: listeners' writes are top-level mutations the record's mutation waits for.
    record.followUp = this.executor.collect(() => {
      this.publishEvents(record);
      // A POST callback registered while the commit was in flight (else the commit was not pipelined).
      if (post) return this.runPostCallbacks(record);
    });
  }

  /**
   * Pipeline hook: the store rejected the first of `records` (oldest first); every one of them fails. The
   * blob index is restored by undoing their batches newest first; the head becomes the durable state again
   * (which is exactly the state before the first of them: every earlier commit is durable, node `latest`
   * pointers only ever move on durability); transactions they were closing are re-opened.
   */
  private rollback(records: readonly CommitRecord[], error: unknown): Error {
    for (let i = records.length - 1; i >= 0; i--) records[i].batch?.rollback();
    this.head = copyState(this.durable);
    for (const r of records) if (r.tx) this.reopenTx(r.tx);
    return storeFailure(error);
  }

  /** Which history entries a new latest (or a tag change) evicts; never the latest or tagged ones. */
  private planHistory(
    state: RootState,
    newHash: string | undefined,
    tags: ReadonlyMap<string, string>
  ): HistoryPlan {
    const tagged = new Set(tags.values());
    const isNew = newHash !== undefined && !state.history.has(newHash);
    const latest = newHash ?? state.rev.hash;
    let untagged = state.history.size + (isNew ? 1 : 0) - tagged.size;
    const evicted: string[] = [];
    if (untagged > this.historySize) {
      for (const h of state.history.keys()) {
        if (untagged <= this.historySize) break;
        if (tagged.has(h) || h === latest) continue;
        evicted.push(h);
        untagged--;
      }
    }
    let keys: string[] = [];
    if (this.store) {
      const gone = new Set(evicted);
      keys = [...state.history.keys()].filter((h) => !gone.has(h) && h !== latest);
      keys.push(latest);
    }
    return { isNew, evicted, keys };
  }

  /** Commits a batch directly (construction and load, before the tree is handed out). */
  private async commitDirect(batch: BlobBatch, root: RootPointer): Promise<void> {
    const { puts, deletes } = batch.result();
    try {
      await (this.store as TreeStore).commit({ puts, deletes, root });
    } catch (e) {
      batch.rollback();
      throw storeFailure(e);
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

  /** Publishes the events of a durable commit, then runs the POST callbacks in order (errors are logged). */
  private async deliver(record: CommitRecord): Promise<void> {
    this.publishEvents(record);
    await this.runPostCallbacks(record);
  }

  /** Delivers the events of a durable commit to the listeners, synchronously. */
  private publishEvents(record: CommitRecord): void {
    if (this.listeners.size === 0 || record.announcements.length === 0) return;
    const timestamp = this.clock();
    const rootHash = (record.root as Revision).hash;
    for (const ann of record.announcements) {
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
        rootHash,
        seq: record.seq,
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
  }

  /** Runs the POST callbacks of a durable commit one after the other (errors are logged). */
  private async runPostCallbacks(record: CommitRecord): Promise<void> {
    for (const ann of record.announcements) {
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
    // The fork is the durable root: a transaction never sees (nor merges against) data that may roll back.
    const fork = this.durable.rev;
    const rootNode = fork.node;
    const tx: TxState = {
      txid,
      fork,
      head: fork,
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
    if (this.transactions.get(tx.txid) === tx) this.transactions.delete(tx.txid);
    this.committing.delete(tx);
  }

  /** A commit of the transaction starts: closed for callers, kept until the outcome is durable. */
  private detachTx(tx: TxState): void {
    if (tx.timer) clearTimeout(tx.timer);
    tx.timer = undefined;
    this.transactions.delete(tx.txid);
    this.committing.add(tx);
  }

  /**
   * The commit of a detached transaction ended without a commit of its own (conflict, nothing to merge):
   * close it now, or, with commits in flight (its outcome was evaluated on them), once they are durable; if
   * one of them fails it is re-opened like the transaction of a failed commit.
   */
  private retireTx(tx: TxState): void {
    if (this.pipeline.size === 0) {
      this.closeTx(tx);
      return;
    }
    void this.pipeline.submit({
      root: undefined,
      evicted: [],
      tags: undefined,
      seq: this.head.seq,
      changed: [],
      announcements: [],
      tx,
      pipelined: true,
      batch: undefined,
      followUp: undefined
    });
  }

  /** The commit of the transaction failed: it is open again as before (same fork, head and branches). */
  private reopenTx(tx: TxState): void {
    this.committing.delete(tx);
    if (this.transactions.get(tx.txid) === tx) return;
    if (this.closed || this.transactions.has(tx.txid)) {
      tx.touched.clear();
      return;
    }
    this.transactions.set(tx.txid, tx);
    this.touchTx(tx.txid);
  }
}

/** Applies a commit to one side's view of the root (the same operations, in the same order, on both). */
function applyState(state: RootState, record: CommitRecord): void {
  if (record.root) {
    state.history.delete(record.root.hash);
    state.history.set(record.root.hash, record.root);
    state.rev = record.root;
  }
  for (const h of record.evicted) state.history.delete(h);
  if (record.tags) state.tags = record.tags;
  state.seq = record.seq;
}

/** The error a mutation reports for a rejected store commit. */
function storeFailure(e: unknown): Error {
  if (e instanceof ConfigTreeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ConfigStoreError(`store commit failed: ${message}`, 'UNAVAILABLE');
}

function stepPaths(steps: readonly PathStep[]): string[] {
  const out: string[] = [];
  for (let i = steps.length - 1; i >= 0; i--) out.push(steps[i].path);
  return out;
}
