import { KeyedChildren, MstNode } from './merkle-search-tree';
import { ConfigData, Revision } from './revision';

/**
 * Persisted layout (version 1) and reference-counting garbage collection of blobs.
 *
 * Each blob has an entry `{refs, edges}`: `edges` are the blob keys it references, `refs` the number of
 * referencing blobs plus one per retained root revision (history entry). A blob whose count drops to zero is
 * deleted and its edges are released in turn. Entries are keyed by hash, so identical content is stored
 * once and counted once per distinct parent blob.
 */

export const LAYOUT_VERSION = 1;

/** A stored child slot: child revision hashes (singular: one; unkeyed list) or a keyed container. */
export type StoredSlot = string[] | { chunk: string | null; size: number };

export interface RevisionBlob {
  type: string;
  config: string;
  children: Record<string, StoredSlot>;
}

export interface ChunkBlob {
  level: number;
  items: string[];
  kids: (string | null)[];
}

const encoder = new TextEncoder();

export function revisionBlob(rev: Revision): RevisionBlob {
  const children: Record<string, StoredSlot> = {};
  rev.info.children.forEach((f, i) => {
    const slot = rev.children[i];
    if (slot instanceof Revision) children[f.name] = [slot.hash];
    else if (slot instanceof KeyedChildren)
      children[f.name] = { chunk: slot.tree ? slot.tree.hash : null, size: slot.size };
    else children[f.name] = slot.map((r) => r.hash);
  });
  return { type: rev.info.typeName, config: rev.config.hash, children };
}

/** Blob keys referenced by a revision blob. */
export function revisionEdges(blob: RevisionBlob): string[] {
  const edges = [blob.config];
  for (const slot of Object.values(blob.children)) {
    if (Array.isArray(slot)) edges.push(...slot);
    else if (slot.chunk) edges.push(slot.chunk);
  }
  return edges;
}

/** Blob keys referenced by a chunk blob. */
export function chunkEdges(blob: ChunkBlob): string[] {
  const edges = [...blob.items];
  for (const k of blob.kids) if (k) edges.push(k);
  return edges;
}

interface Entry {
  refs: number;
  readonly edges: readonly string[];
}

export class BlobIndex {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  refs(key: string): number {
    return this.entries.get(key)?.refs ?? 0;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /**
   * Builds the index of a loaded store: `graph` maps every reachable blob to its edges, `roots` lists the
   * retained root revisions (one reference each).
   */
  static fromGraph(graph: ReadonlyMap<string, readonly string[]>, roots: readonly string[]): BlobIndex {
    const index = new BlobIndex();
    for (const [k, edges] of graph) index.entries.set(k, { refs: 0, edges });
    for (const edges of graph.values()) for (const e of edges) (index.entries.get(e) as Entry).refs++;
    for (const r of roots) (index.entries.get(r) as Entry).refs++;
    return index;
  }

  /**
   * Starts a batch of changes that can be rolled back if the store rejects it. Several batches may be open at
   * once (one per store commit in flight), each begun on the state the previous ones left; they must be rolled
   * back newest first.
   */
  begin(): BlobBatch {
    return new BlobBatch(this.entries);
  }
}

export class BlobBatch {
  private readonly puts = new Map<string, Uint8Array>();
  private readonly deletes = new Set<string>();
  /** Reference-count changes in order (for rollback): keys and deltas. */
  private readonly opKeys: string[] = [];
  private readonly opDeltas: number[] = [];
  /** Keys that did not exist before this batch. */
  private readonly createdHere = new Set<string>();
  /** Entries that reached zero in this batch (kept so that rollback and re-creation reuse them). */
  private readonly removed = new Map<string, Entry>();

  constructor(private readonly entries: Map<string, Entry>) {}

  /** Registers a revision and every blob below it that the index does not know yet. */
  registerRevision(rev: Revision): void {
    if (this.entries.has(rev.hash)) return;
    const blob = revisionBlob(rev);
    const edges = revisionEdges(blob);
    this.create(rev.hash, edges, () => encoder.encode(JSON.stringify(blob)));
    this.registerConfig(rev.config);
    for (const slot of rev.children) {
      if (slot instanceof Revision) this.registerRevision(slot);
      else if (slot instanceof KeyedChildren) {
        if (slot.tree) this.registerChunk(slot.tree);
      } else for (const r of slot) this.registerRevision(r);
    }
    for (const e of edges) this.incref(e);
  }

  /** Adds a retained-root reference. */
  retain(key: string): void {
    this.incref(key);
  }

  /** Drops a retained-root reference; deletes blobs that become unreachable. */
  release(key: string): void {
    const stack = [key];
    while (stack.length > 0) {
      const k = stack.pop() as string;
      const e = this.entries.get(k);
      if (!e) throw new Error(`blob index: release of unknown blob ${k}`);
      e.refs--;
      this.opKeys.push(k);
      this.opDeltas.push(-1);
      if (e.refs > 0) continue;
      this.entries.delete(k);
      this.removed.set(k, e);
      if (this.createdHere.has(k)) this.puts.delete(k);
      else this.deletes.add(k);
      for (const edge of e.edges) stack.push(edge);
    }
  }

  /** The store batch content. */
  result(): { puts: Map<string, Uint8Array>; deletes: string[] } {
    return { puts: this.puts, deletes: [...this.deletes] };
  }

  /**
   * Restores the index to its state before the batch (its op log replayed backwards). Every batch begun after
   * this one must have been rolled back first.
   */
  rollback(): void {
    for (let i = this.opKeys.length - 1; i >= 0; i--) {
      const k = this.opKeys[i];
      const e = (this.entries.get(k) ?? this.removed.get(k)) as Entry;
      e.refs -= this.opDeltas[i];
    }
    for (const [k, e] of this.removed) if (!this.createdHere.has(k)) this.entries.set(k, e);
    for (const k of this.createdHere) this.entries.delete(k);
  }

  private registerConfig(config: ConfigData): void {
    if (this.entries.has(config.hash)) return;
    this.create(config.hash, [], () => config.info.encode(config.data));
  }

  private registerChunk(node: MstNode<Revision>): void {
    if (this.entries.has(node.hash)) return;
    const edges = node.items.map((i) => i.value.hash);
    for (const kid of node.kids) if (kid) edges.push(kid.hash);
    this.create(node.hash, edges, () => encoder.encode(node.blobJson()));
    for (const item of node.items) this.registerRevision(item.value);
    for (const kid of node.kids) if (kid) this.registerChunk(kid);
    for (const e of edges) this.incref(e);
  }

  private create(key: string, edges: readonly string[], bytes: () => Uint8Array): void {
    const previous = this.removed.get(key);
    if (previous) {
      // Deleted earlier in this batch and needed again: resurrect the same entry (refs 0).
      this.removed.delete(key);
      this.entries.set(key, previous);
      if (this.createdHere.has(key)) this.puts.set(key, bytes());
      else this.deletes.delete(key);
      return;
    }
    this.entries.set(key, { refs: 0, edges });
    this.createdHere.add(key);
    this.puts.set(key, bytes());
  }

  private incref(key: string): void {
    (this.entries.get(key) as Entry).refs++;
    this.opKeys.push(key);
    this.opDeltas.push(1);
  }
}
