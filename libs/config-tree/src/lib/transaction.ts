import type { ConfigProxy, ReadOptions, UpdateOptions } from './proxy';
import { ClosedTransactionError } from './errors';
import type { MutationResult } from './config-root';
import type { Message } from './schema';

export interface TransactionOptions {
  /** Cancel the transaction after this long without an operation (ms); 0 disables. Default: the tree's. */
  idleTimeoutMs?: number;
}

/** What a transaction handle needs from its tree. */
export interface TransactionHost {
  isOpen(txid: string): boolean;
  commit(txid: string): Promise<MutationResult>;
  cancel(txid: string): void;
  touch(txid: string): void;
}

/**
 * A transaction opened through a proxy: reads and writes are relative to that proxy and isolated from
 * the committed tree until `commit`. After commit, cancel or expiry every method throws
 * ClosedTransactionError. The same transaction is addressable by `txid` through the tree
 * (`ConfigRoot.commitTransaction(txid)` etc.) for services that only hold the id.
 */
export class Transaction {
  constructor(
    private readonly host: TransactionHost,
    private readonly proxy: ConfigProxy,
    readonly txid: string
  ) {}

  get isOpen(): boolean {
    return this.host.isOpen(this.txid);
  }

  get(path = '/', options: Omit<ReadOptions, 'txid'> = {}): Promise<Message | Message[]> {
    return this.guard(() => this.proxy.get(path, { ...options, txid: this.txid }));
  }

  update(path: string, data: Message, options: Omit<UpdateOptions, 'txid'> = {}): Promise<MutationResult> {
    return this.guard(() => this.proxy.update(path, data, { ...options, txid: this.txid }));
  }

  add(path: string, data: Message): Promise<MutationResult> {
    return this.guard(() => this.proxy.add(path, data, { txid: this.txid }));
  }

  remove(path: string): Promise<MutationResult> {
    return this.guard(() => this.proxy.remove(path, { txid: this.txid }));
  }

  /** Merges the transaction into the committed tree; returns the new root hash. */
  commit(): Promise<MutationResult> {
    return this.guard(() => this.host.commit(this.txid));
  }

  /** Drops the transaction. */
  cancel(): void {
    if (!this.host.isOpen(this.txid)) throw new ClosedTransactionError();
    this.host.cancel(this.txid);
  }

  /** Cancels the transaction if it is still open (safe to call any time; for `finally` blocks). */
  dispose(): void {
    if (this.host.isOpen(this.txid)) this.host.cancel(this.txid);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.host.isOpen(this.txid)) throw new ClosedTransactionError();
    this.host.touch(this.txid);
    return fn();
  }
}
