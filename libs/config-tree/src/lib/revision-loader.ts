import { ChunkBlob, chunkEdges, RevisionBlob, revisionEdges } from './blob-index';
import { ConfigStoreError } from './errors';
import { KeyedChildren } from './merkle-search-tree';
import { ChildSlot, ConfigData, ConfigNode, Revision } from './revision';
import type { ConfigSchema, TypeInfo } from './schema';
import { buildRevision, clearChildren, joinPath, keyOf } from './tree-ops';
import type { TreeStore } from './tree-store';

type BlobKind = 'rev' | 'config' | 'chunk';

const decoder = new TextDecoder();

function parseJson<T>(bytes: Uint8Array, key: string, kind: BlobKind): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch {
    throw new ConfigStoreError(`corrupt ${kind} blob ${key}`);
  }
}

/**
 * Loads revisions from a store in two phases: `fetch` reads every blob reachable from the given root
 * revision hashes, level by level with one batched read per level (missing blobs fail loudly), and records
 * the blob graph; `build` turns stored revisions into in-memory revisions and nodes without further I/O.
 *
 * Building follows the current schema: a child field missing from a stored revision (the schema gained a
 * field) loads as an empty container or a default singular child; stored fields the schema no longer has are
 * ignored. Within one loader, a node is identified by its path and a revision by (path, hash), so the latest
 * revision and tagged revisions share nodes and unchanged subtrees.
 */
export class RevisionLoader {
  /** Every fetched blob key -> the keys it references. */
  readonly graph = new Map<string, string[]>();
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly revBlobs = new Map<string, RevisionBlob>();
  private readonly chunkBlobs = new Map<string, ChunkBlob>();
  private readonly nodes = new Map<string, ConfigNode>();
  private readonly revCache = new Map<string, Revision>();
  private readonly configCache = new Map<string, ConfigData>();
  private readonly keyedCache = new Map<string, KeyedChildren<Revision>>();

  constructor(
    private readonly store: TreeStore,
    private readonly schema: ConfigSchema
  ) {}

  /** Type name recorded in a fetched revision blob. */
  storedType(hash: string): string {
    return this.revBlob(hash).type;
  }

  async fetch(rootRevisions: readonly string[]): Promise<void> {
    let frontier: Array<[string, BlobKind, string | undefined]> = rootRevisions.map((h) => [
      h,
      'rev',
      undefined
    ]);
    while (frontier.length > 0) {
      const need = new Map<string, [BlobKind, string | undefined]>();
      for (const [k, kind, from] of frontier)
        if (!this.blobs.has(k) && !need.has(k)) need.set(k, [kind, from]);
      if (need.size === 0) break;
      const got = await this.store.readBlobs([...need.keys()]);
      const next: Array<[string, BlobKind, string | undefined]> = [];
      for (const [k, [kind, from]] of need) {
        const bytes = got.get(k);
        if (!bytes) {
          throw new ConfigStoreError(
            `missing ${kind} blob ${k}${from ? ` referenced by ${from}` : ' (root)'}`
          );
        }
        this.blobs.set(k, bytes);
        let edges: string[] = [];
        if (kind === 'rev') {
          const blob = parseJson<RevisionBlob>(bytes, k, kind);
          if (typeof blob.config !== 'string' || typeof blob.children !== 'object') {
            throw new ConfigStoreError(`corrupt rev blob ${k}`);
          }
          this.revBlobs.set(k, blob);
          edges = revisionEdges(blob);
          next.push([blob.config, 'config', k]);
          for (const slot of Object.values(blob.children)) {
            if (Array.isArray(slot)) for (const h of slot) next.push([h, 'rev', k]);
            else if (slot.chunk) next.push([slot.chunk, 'chunk', k]);
          }
        } else if (kind === 'chunk') {
          const blob = parseJson<ChunkBlob>(bytes, k, kind);
          this.chunkBlobs.set(k, blob);
          edges = chunkEdges(blob);
          for (const h of blob.items) next.push([h, 'rev', k]);
          for (const h of blob.kids) if (h) next.push([h, 'chunk', k]);
        }
        this.graph.set(k, edges);
      }
      frontier = next;
    }
  }

  /** Builds the in-memory revision of a fetched stored revision at `path`. */
  build(hash: string, info: TypeInfo, path: string): Revision {
    const cacheKey = `${path}\0${hash}`;
    const cached = this.revCache.get(cacheKey);
    if (cached) return cached;
    const blob = this.revBlob(hash);
    const config = this.config(info, blob.config);
    const slots: ChildSlot[] = info.children.map((field) => {
      const childInfo = this.schema.typeInfo(field.typeName);
      const stored = blob.children[field.name];
      const childPath = joinPath(path, field.name);
      if (!field.repeated) {
        if (Array.isArray(stored) && stored.length === 1) return this.build(stored[0], childInfo, childPath);
        return buildRevision(this.schema, childInfo, childInfo.create(), childPath);
      }
      const hashes =
        stored === undefined ? [] : Array.isArray(stored) ? stored : this.chunkItems(stored.chunk);
      if (!field.key) return hashes.map((h) => this.build(h, childInfo, childPath));
      const containerKey = `${childPath}\0${Array.isArray(stored) ? hashes.join(',') : stored?.chunk}`;
      const hit = this.keyedCache.get(containerKey);
      if (hit) return hit;
      const entries: Array<[string, Revision]> = [];
      const seen = new Set<string>();
      for (const h of hashes) {
        const childConfig = this.config(childInfo, this.revBlob(h).config);
        const key = keyOf(field, childConfig.data);
        if (seen.has(key)) throw new ConfigStoreError(`duplicate key ${key} in stored ${childPath}`);
        seen.add(key);
        entries.push([key, this.build(h, childInfo, joinPath(path, field.name, key))]);
      }
      const kc = KeyedChildren.from(entries);
      this.keyedCache.set(containerKey, kc);
      return kc;
    });
    let node = this.nodes.get(path);
    const isNew = !node;
    if (!node) {
      node = new ConfigNode(info, path);
      this.nodes.set(path, node);
    }
    const rev = new Revision(node, config, slots);
    if (isNew) node.latest = rev;
    this.revCache.set(cacheKey, rev);
    return rev;
  }

  private revBlob(hash: string): RevisionBlob {
    const b = this.revBlobs.get(hash);
    if (!b) throw new ConfigStoreError(`revision blob ${hash} was not fetched`);
    return b;
  }

  private config(info: TypeInfo, hash: string): ConfigData {
    const cacheKey = `${info.typeName}\0${hash}`;
    const cached = this.configCache.get(cacheKey);
    if (cached) return cached;
    const bytes = this.blobs.get(hash);
    if (!bytes) throw new ConfigStoreError(`config blob ${hash} was not fetched`);
    let data;
    try {
      data = clearChildren(info, info.decode(bytes));
    } catch (e) {
      throw new ConfigStoreError(
        `cannot decode config blob ${hash} as ${info.typeName}: ${(e as Error).message}`
      );
    }
    const config = new ConfigData(info, data);
    this.configCache.set(cacheKey, config);
    return config;
  }

  /** Child revision hashes of a stored keyed container, in order. */
  private chunkItems(chunk: string | null): string[] {
    const out: string[] = [];
    const walk = (h: string | null): void => {
      if (!h) return;
      const c = this.chunkBlobs.get(h);
      if (!c) throw new ConfigStoreError(`chunk blob ${h} was not fetched`);
      c.items.forEach((item, i) => {
        walk(c.kids[i] ?? null);
        out.push(item);
      });
      walk(c.kids[c.items.length] ?? null);
    };
    walk(chunk);
    return out;
  }
}
