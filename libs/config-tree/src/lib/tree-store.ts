/**
 * The persistence port of the config tree.
 *
 * The tree persists content-addressed blobs plus one root pointer. A store only needs three operations;
 * drivers for real KV stores (with write queues, group commit, journals and locks) implement this port
 * elsewhere. Layout (see README "Persistence layout"):
 *
 * - config blob, key = config hash: deterministic protobuf binary of the node-local data;
 * - revision blob, key = revision hash: UTF-8 JSON `{"type","config","children":{field: slot}}`;
 * - chunk blob, key = chunk hash: UTF-8 JSON of one Merkle search tree node of a keyed container;
 * - the root pointer {@link RootPointer}, stored under a key of the driver's choice (e.g. `root`).
 *
 * Blob keys are 24 lowercase hex characters; blob values never change for a given key.
 */

/** The root pointer: the only mutable record. Written last in every batch. */
export interface RootPointer {
  /** Layout version of the blobs (currently 1). */
  readonly layout: number;
  /** Hash of the latest committed root revision. */
  readonly latest: string;
  /** Tag name -> root revision hash. */
  readonly tags: Readonly<Record<string, string>>;
  /** Commit sequence number of `latest` (monotonic across restarts). */
  readonly seq: number;
  /** Retained root revision hashes, oldest first; contains `latest` (last) and every tagged hash. */
  readonly history: readonly string[];
}

/** One atomic unit of persistence produced by one tree operation. */
export interface TreeStoreBatch {
  /** New blobs (key -> value). Content-addressed: re-putting an existing key writes the same bytes. */
  readonly puts: ReadonlyMap<string, Uint8Array>;
  /** Blobs no longer reachable from any retained root revision. */
  readonly deletes: readonly string[];
  /** The new root pointer. */
  readonly root: RootPointer;
}

export interface TreeStore {
  /** The persisted root pointer, or undefined for an empty store. */
  loadRoot(): Promise<RootPointer | undefined>;
  /** Reads blobs; missing keys are absent from the result (the tree reports them as data loss). */
  readBlobs(keys: readonly string[]): Promise<Map<string, Uint8Array>>;
  /**
   * Persists a batch. Contract:
   *
   * - after the returned promise resolves the batch is durable;
   * - several batches may be in flight: the tree calls `commit` again without waiting for the previous
   *   promise (each batch is built on top of the previous ones, its blobs may be referenced only by them);
   * - batches are applied in call order; a store may queue and group (fold) consecutive batches as long as it
   *   keeps that order; within a batch (or group), puts become visible before the root pointer and deletes are
   *   applied only after the root pointer (so a crash leaves at most unreferenced blobs, never a dangling
   *   pointer);
   * - a rejection means the batch was not applied, **and implies that the store rejects every later batch
   *   still in flight** (they were built on top of it); it may reject them in any order and at any later time;
   *   a rejection returned at once (e.g. a full queue) is allowed too;
   * - after a rejection the tree rolls every failed batch back and hands over a new batch only once every
   *   batch in flight has settled; the new batch is built on the last durable state.
   */
  commit(batch: TreeStoreBatch): Promise<void>;
  /** Optional: all blob keys, for an orphan sweep after crashes ({@link ConfigRoot.sweepOrphans}). */
  listBlobKeys?(): Promise<string[]>;
}

/** Encodes a root pointer as JSON bytes (for drivers that store it as a value). */
export function encodeRootPointer(pointer: RootPointer): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(pointer));
}

/** Decodes a root pointer written by {@link encodeRootPointer}. */
export function decodeRootPointer(bytes: Uint8Array): RootPointer {
  const raw = JSON.parse(new TextDecoder().decode(bytes)) as Partial<RootPointer>;
  if (typeof raw.latest !== 'string') throw new Error('invalid root pointer');
  return {
    layout: raw.layout ?? 1,
    latest: raw.latest,
    tags: raw.tags ?? {},
    seq: raw.seq ?? 0,
    history: raw.history ?? [raw.latest]
  };
}

/** Statistics kept by {@link InMemoryTreeStore} for tests. */
export interface InMemoryTreeStoreStats {
  commits: number;
  puts: number;
  deletes: number;
  rootWrites: number;
  reads: number;
}

function copyPointer(p: RootPointer): RootPointer {
  return { ...p, tags: { ...p.tags }, history: [...p.history] };
}

/**
 * In-memory store for tests and single-process use. Records every batch (unless `recordBatches` is off);
 * `failNextCommit` simulates a store failure.
 */
export class InMemoryTreeStore implements TreeStore {
  readonly blobs = new Map<string, Uint8Array>();
  private rootPointer: RootPointer | undefined;
  readonly batches: TreeStoreBatch[] = [];
  readonly rootHistory: RootPointer[] = [];
  readonly stats: InMemoryTreeStoreStats = { commits: 0, puts: 0, deletes: 0, rootWrites: 0, reads: 0 };
  failNextCommit: Error | undefined;
  /** Keep the batches in `batches` (disable for long benchmarks). */
  recordBatches = true;

  async loadRoot(): Promise<RootPointer | undefined> {
    return this.rootPointer ? copyPointer(this.rootPointer) : undefined;
  }

  async readBlobs(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.stats.reads += keys.length;
    const out = new Map<string, Uint8Array>();
    for (const k of keys) {
      const v = this.blobs.get(k);
      if (v) out.set(k, v.slice());
    }
    return out;
  }

  async commit(batch: TreeStoreBatch): Promise<void> {
    if (this.failNextCommit) {
      const e = this.failNextCommit;
      this.failNextCommit = undefined;
      throw e;
    }
    this.stats.commits++;
    for (const [k, v] of batch.puts) {
      this.blobs.set(k, v.slice());
      this.stats.puts++;
    }
    // The tree hands over a fresh history array per batch and never mutates it afterwards.
    this.rootPointer = { ...batch.root, tags: { ...batch.root.tags } };
    this.stats.rootWrites++;
    for (const k of batch.deletes) {
      this.blobs.delete(k);
      this.stats.deletes++;
    }
    if (this.recordBatches) {
      this.batches.push(batch);
      this.rootHistory.push(batch.root);
    }
  }

  async listBlobKeys(): Promise<string[]> {
    return [...this.blobs.keys()];
  }

  /** Number of keys including the root pointer (the 1.x key-count arithmetic counts `root`). */
  get keyCount(): number {
    return this.blobs.size + (this.rootPointer ? 1 : 0);
  }

  /** An independent copy (blobs and root pointer), e.g. to reload in a second tree. */
  clone(): InMemoryTreeStore {
    const c = new InMemoryTreeStore();
    for (const [k, v] of this.blobs) c.blobs.set(k, v.slice());
    c.rootPointer = this.rootPointer && copyPointer(this.rootPointer);
    return c;
  }

  /** Writes a raw root pointer (tests of damaged stores). */
  setRootPointer(pointer: RootPointer | undefined): void {
    this.rootPointer = pointer && copyPointer(pointer);
  }
}
