import { CallbackType } from './callback-type';
import { ConfigAssertionError } from './errors';
import type { ConfigNode } from './revision';
import type { MutationResult } from './config-root';
import type { Message } from './schema';
import type { Transaction, TransactionOptions } from './transaction';

/** A callback: receives the data (a private copy) and the extra arguments given at registration. */
export type ConfigCallback = (data: any, ...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ReadOptions {
  /** Levels of children to include (0 = node-local data only; negative = unlimited). */
  depth?: number;
  /** Unlimited depth. */
  deep?: boolean;
  /** Read inside this transaction (unknown transaction ids fall back to committed data, as in 1.x). */
  txid?: string;
}

export interface WriteOptions {
  txid?: string;
}

export interface UpdateOptions extends WriteOptions {
  /** Reject changes of READ_ONLY fields. */
  strict?: boolean;
}

/** What a proxy needs from its tree (kept as an interface so the tree's internals stay private). */
export interface ProxyHost {
  readAt(node: ConfigNode, relativePath: string, options: ReadOptions): Promise<Message | Message[]>;
  update(path: string, data: Message, options: UpdateOptions): Promise<MutationResult>;
  add(path: string, data: Message, options: WriteOptions): Promise<MutationResult>;
  remove(path: string, options: WriteOptions): Promise<MutationResult>;
  openTransaction(proxy: ConfigProxy, options: TransactionOptions): Transaction;
}

interface Registration {
  readonly fn: ConfigCallback;
  readonly args: readonly unknown[];
}

/**
 * The handle on one node: reads relative to the node, writes by path relative to the node, callbacks.
 * There is at most one proxy per node (see `ConfigRoot.getProxy`). A proxy stays bound to its node: after
 * the node is removed (or the tree reloaded) the proxy is detached; its `get` returns the node's last
 * committed data and its callbacks no longer fire.
 */
export class ConfigProxy {
  private readonly callbacks = new Map<CallbackType, Registration[]>();

  constructor(
    private readonly host: ProxyHost,
    /** @internal */ readonly node: ConfigNode,
    readonly exclusive: boolean
  ) {}

  /** Full path of the node. */
  get path(): string {
    return this.node.path;
  }

  /** Reads relative to the node (`'/'` = the node itself). Default depth 0. */
  async get(path = '/', options: ReadOptions = {}): Promise<Message | Message[]> {
    return this.host.readAt(this.node, path, options);
  }

  async update(path: string, data: Message, options: UpdateOptions = {}): Promise<MutationResult> {
    return this.host.update(this.fullPath(path), data, options);
  }

  async add(path: string, data: Message, options: WriteOptions = {}): Promise<MutationResult> {
    return this.host.add(this.fullPath(path), data, options);
  }

  async remove(path: string, options: WriteOptions = {}): Promise<MutationResult> {
    return this.host.remove(this.fullPath(path), options);
  }

  openTransaction(options: TransactionOptions = {}): Transaction {
    return this.host.openTransaction(this, options);
  }

  /** Appends a callback; it is called as `fn(data, ...args)`. */
  registerCallback(type: CallbackType, fn: ConfigCallback, ...args: unknown[]): void {
    const list = this.callbacks.get(type) ?? [];
    list.push({ fn, args });
    this.callbacks.set(type, list);
  }

  /** Removes the first registration with the same function and arguments; unknown callbacks are ignored. */
  unregisterCallback(type: CallbackType, fn: ConfigCallback, ...args: unknown[]): void {
    const list = this.callbacks.get(type);
    if (!list) return;
    const i = list.findIndex(
      (r) => r.fn === fn && r.args.length === args.length && r.args.every((a, j) => a === args[j])
    );
    if (i >= 0) list.splice(i, 1);
  }

  /** @internal Number of callbacks of a type. */
  callbackCount(type: CallbackType): number {
    return this.callbacks.get(type)?.length ?? 0;
  }

  /** @internal Snapshot of the registrations of a type (registration order). */
  registrations(type: CallbackType): readonly Registration[] {
    return [...(this.callbacks.get(type) ?? [])];
  }

  /** Turns a proxy-relative write path into a full path ('/' = the node itself). */
  private fullPath(path: string): string {
    if (!path.startsWith('/')) throw new ConfigAssertionError(`proxy path must start with '/': '${path}'`);
    if (path === '/') return this.node.path;
    return this.node.path === '/' ? path : this.node.path + path;
  }
}
