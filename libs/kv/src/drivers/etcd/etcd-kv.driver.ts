import {
  ClientClosedError,
  CompareResult,
  CompareTarget,
  Etcd3,
  isRecoverableError,
  type ICompare,
  type IKeyValue,
  type IOptions,
  type IRequestOp,
  type Watcher
} from 'etcd3';

import { parseEtcdEndpoints } from '../../kv-address';
import {
  CasConflictError,
  InvalidKvRequestError,
  KvClosedError,
  KvError,
  LockLostError,
  PermanentKvError,
  PermissionDeniedError,
  TransientKvError,
  ValueTooLargeError
} from '../../kv.error';
import type { KvEntry, KvLimits, KvVersion } from '../../kv-store.interface';
import type { LockHandle } from '../../lock/lock-handle';
import type { KvAttemptContext } from '../../retry/kv-retry';
import { errorMessage } from '../../util/error-message';
import { BaseKvStore, type FullTxn, type KvStoreOptions } from '../base-kv-store';
import { passThroughPolicy, watchBackoff } from './etcd-fault-handling';
import { EtcdLeaseKeeper } from './etcd-lease-keeper';

/** etcd's default `--max-request-bytes` (1.5 MiB). */
export const ETCD_DEFAULT_MAX_REQUEST_BYTES = 1536 * 1024;
/** etcd's default `--max-txn-ops`. */
export const ETCD_DEFAULT_MAX_TXN_OPS = 128;

export interface EtcdTlsOptions {
  /** CA certificate(s) to trust (PEM). */
  readonly ca?: Buffer | string;
  /** Client certificate (PEM), for mutual TLS. */
  readonly cert?: Buffer | string;
  /** Client private key (PEM), for mutual TLS. */
  readonly key?: Buffer | string;
}

export interface EtcdKvOptions extends KvStoreOptions {
  /** `host:port[,host:port...]` or URLs, or a list of them (default `localhost:2379`). */
  readonly endpoints?: string | readonly string[];
  /** TLS: endpoints default to https and these credentials are used. */
  readonly tls?: EtcdTlsOptions;
  /** etcd user/password authentication. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Connect timeout (default: the request timeout). */
  readonly dialTimeoutMs?: number;
  /** Most checks + ops per transaction (default 128, etcd's `--max-txn-ops`). */
  readonly maxTxnOps?: number;
  /**
   * The server's `--max-request-bytes` (default 1.5 MiB). `limits.maxValueBytes` is this minus
   * 1 KiB of request overhead; the server remains the judge ("request is too large").
   */
  readonly maxRequestBytes?: number;
}

const REQUEST_OVERHEAD_BYTES = 1024;
const EMPTY = new Uint8Array(0);

/** etcd v3 driver (`etcd3` client, gRPC). Versions are `mod_revision`s. */
export class EtcdKvStore extends BaseKvStore {
  readonly backend = 'etcd' as const;
  readonly limits: KvLimits;
  /** The underlying client (for diagnostics; do not close it). */
  readonly client: Etcd3;
  readonly endpoints: readonly string[];
  private readonly watchers = new Set<Watcher>();
  private readonly keepers = new Set<EtcdLeaseKeeper>();

  constructor(options: EtcdKvOptions = {}) {
    super(options);
    const secure = options.tls !== undefined;
    const endpoints =
      typeof options.endpoints === 'string' || options.endpoints === undefined
        ? parseEtcdEndpoints(options.endpoints, secure)
        : options.endpoints.flatMap((e) => parseEtcdEndpoints(e, secure));
    this.endpoints = endpoints;
    const maxRequestBytes = options.maxRequestBytes ?? ETCD_DEFAULT_MAX_REQUEST_BYTES;
    this.limits = {
      maxTxnOps: options.maxTxnOps ?? ETCD_DEFAULT_MAX_TXN_OPS,
      maxValueBytes: maxRequestBytes - REQUEST_OVERHEAD_BYTES,
      maxTxnBytes: maxRequestBytes - REQUEST_OVERHEAD_BYTES
    };
    const requestTimeoutMs = this.retry.requestTimeoutMs;
    const clientOptions: IOptions = {
      hosts: [...endpoints],
      dialTimeout: options.dialTimeoutMs ?? requestTimeoutMs,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
      faultHandling: {
        host: () => passThroughPolicy(),
        global: passThroughPolicy(),
        watchBackoff: watchBackoff(50, 1000)
      },
      grpcOptions: {
        'grpc.max_receive_message_length': 256 * 1024 * 1024,
        'grpc.initial_reconnect_backoff_ms': 50,
        'grpc.max_reconnect_backoff_ms': 1000
      },
      ...(options.tls !== undefined
        ? {
            credentials: {
              rootCertificate: toBuffer(options.tls.ca) ?? Buffer.alloc(0),
              ...(options.tls.key !== undefined ? { privateKey: toBuffer(options.tls.key) } : {}),
              ...(options.tls.cert !== undefined ? { certChain: toBuffer(options.tls.cert) } : {})
            }
          }
        : {}),
      ...(options.auth !== undefined ? { auth: { ...options.auth } } : {})
    };
    this.client = new Etcd3(clientOptions);
  }

  // ------------------------------------------------------------------ errors

  protected classify(error: unknown): KvError {
    if (error instanceof KvError) {
      return error;
    }
    if (error instanceof ClientClosedError || this.closed) {
      return new KvClosedError('etcd call');
    }
    const message = errorMessage(error);
    if (/request is too large|larger than max|message too large/i.test(message)) {
      return new ValueTooLargeError(`etcd: ${message}`, undefined, { cause: error });
    }
    if (
      /permission denied|user name is empty|authentication failed|invalid auth|auth: |unauthenticated|not capable/i.test(
        message
      )
    ) {
      return new PermissionDeniedError(`etcd: ${message}`, { cause: error });
    }
    if (
      /too many operations in txn|duplicate key given in txn|invalid argument|key is not provided/i.test(
        message
      )
    ) {
      return new InvalidKvRequestError(`etcd rejected the request: ${message}`, { cause: error });
    }
    if (
      (typeof error === 'object' && error !== null && isRecoverableError(error as Error)) ||
      /unavailable|deadline|timed out|timeout|leader|ECONN|EPIPE|socket|connect|closed|cancelled|too many requests|internal/i.test(
        message
      )
    ) {
      return new TransientKvError(`etcd: ${message}`, { cause: error });
    }
    return new PermanentKvError(`etcd: ${message}`, { cause: error });
  }

  // ------------------------------------------------------------------ data

  protected async doGet(fullKey: string, ctx: KvAttemptContext): Promise<KvEntry | undefined> {
    const res = await this.client.kv.range({ key: Buffer.from(fullKey) }, this.callOptions(ctx));
    const kv = res.kvs[0];
    return kv === undefined ? undefined : toEntry(kv);
  }

  protected async doGetMany(
    fullKeys: readonly string[],
    ctx: KvAttemptContext
  ): Promise<Map<string, KvEntry>> {
    const out = new Map<string, KvEntry>();
    const chunk = this.limits.maxTxnOps;
    for (let i = 0; i < fullKeys.length; i += chunk) {
      const keys = fullKeys.slice(i, i + chunk);
      const res = await this.client.kv.txn(
        { success: keys.map((key) => ({ request_range: { key: Buffer.from(key) } })) },
        this.callOptions(ctx)
      );
      for (const response of res.responses) {
        const kv = response.response_range.kvs[0];
        if (kv !== undefined) {
          out.set(kv.key.toString('utf8'), toEntry(kv));
        }
      }
    }
    return out;
  }

  protected async doList(fullPrefix: string, ctx: KvAttemptContext): Promise<string[]> {
    const [key, rangeEnd] = prefixRange(fullPrefix);
    const res = await this.client.kv.range(
      { key, range_end: rangeEnd, keys_only: true },
      this.callOptions(ctx)
    );
    return res.kvs.map((kv) => kv.key.toString('utf8'));
  }

  protected async doPut(fullKey: string, value: Uint8Array, ctx: KvAttemptContext): Promise<KvVersion> {
    const res = await this.client.kv.put(
      { key: Buffer.from(fullKey), value: toBufferView(value) },
      this.callOptions(ctx)
    );
    return res.header.revision;
  }

  protected async doDelete(fullKey: string, ctx: KvAttemptContext): Promise<void> {
    await this.client.kv.deleteRange({ key: Buffer.from(fullKey) }, this.callOptions(ctx));
  }

  protected async doTxn(txn: FullTxn, ctx: KvAttemptContext): Promise<Map<string, KvVersion>> {
    const compare: ICompare[] = [];
    const inspect: string[] = [];
    if (txn.fence !== undefined) {
      compare.push({
        key: Buffer.from(txn.fence.fullKey),
        target: CompareTarget.Create,
        result: CompareResult.Equal,
        create_revision: txn.fence.token
      });
      inspect.push(txn.fence.fullKey);
    }
    for (const check of txn.checks) {
      compare.push(
        check.type === 'absent'
          ? {
              key: Buffer.from(check.key),
              target: CompareTarget.Create,
              result: CompareResult.Equal,
              create_revision: 0
            }
          : {
              key: Buffer.from(check.key),
              target: CompareTarget.Mod,
              result: CompareResult.Equal,
              mod_revision: check.version
            }
      );
      inspect.push(check.key);
    }
    const success: IRequestOp[] = txn.ops.map((op) =>
      op.type === 'put'
        ? { request_put: { key: Buffer.from(op.key), value: toBufferView(op.value) } }
        : { request_delete_range: { key: Buffer.from(op.key) } }
    );
    // On failure, read the compared keys so we can tell which condition failed.
    const failure: IRequestOp[] = inspect.map((key) => ({ request_range: { key: Buffer.from(key) } }));
    const res = await this.client.kv.txn({ compare, success, failure }, this.callOptions(ctx));
    if (!res.succeeded) {
      const current = new Map<string, IKeyValue>();
      for (const response of res.responses) {
        const kv = response.response_range.kvs[0];
        if (kv !== undefined) current.set(kv.key.toString('utf8'), kv);
      }
      if (txn.fence !== undefined && current.get(txn.fence.fullKey)?.create_revision !== txn.fence.token) {
        txn.fence.markLost('the lock key is gone or belongs to a newer holder');
        throw new LockLostError(txn.fence.key, 'the lock key is gone or belongs to a newer holder');
      }
      for (const check of txn.checks) {
        const kv = current.get(check.key);
        const ok = check.type === 'absent' ? kv === undefined : kv?.mod_revision === check.version;
        if (!ok) {
          const key = this.relative(check.key) ?? check.key;
          throw new CasConflictError(
            check.type === 'absent'
              ? `check failed: "${key}" exists`
              : `check failed: "${key}" is at version ${kv?.mod_revision ?? '(absent)'}, not ${check.version}`,
            key,
            ctx.attempt > 1
          );
        }
      }
      throw new CasConflictError('transaction conditions failed', undefined, ctx.attempt > 1);
    }
    const versions = new Map<string, KvVersion>();
    for (const op of txn.ops) {
      if (op.type === 'put') versions.set(op.key, res.header.revision);
    }
    return versions;
  }

  // ------------------------------------------------------------------ locks

  /**
   * Lease + key: the lock key is created under a lease only if it does not exist (create revision
   * 0); its create revision is the fencing token. A standby watches the key for its deletion.
   */
  protected async acquireLock(
    key: string,
    fullKey: string,
    owner: string,
    wait: boolean,
    signal: AbortSignal
  ): Promise<LockHandle | undefined> {
    const ttlSeconds = Math.max(1, Math.ceil(this.lockTtlMs / 1000));
    const keyBuffer = Buffer.from(fullKey);
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const grantSentAt = Date.now();
      const grant = await this.call('lock', (ctx) =>
        this.client.leaseClient.leaseGrant({ TTL: ttlSeconds }, this.callOptions(ctx))
      );
      let handle: LockHandle | undefined;
      const keeper = new EtcdLeaseKeeper(
        this.client,
        grant.ID,
        Number(grant.TTL) * 1000,
        grantSentAt,
        this.retry.requestTimeoutMs,
        (detail) => handle?.markLost(detail)
      );
      this.keepers.add(keeper);
      let acquiredRevision: string | undefined;
      let seenRevision = '0';
      try {
        const res = await this.call('lock', (ctx) =>
          this.client.kv.txn(
            {
              compare: [
                {
                  key: keyBuffer,
                  target: CompareTarget.Create,
                  result: CompareResult.Equal,
                  create_revision: 0
                }
              ],
              success: [{ request_put: { key: keyBuffer, value: Buffer.from(owner), lease: grant.ID } }],
              failure: [{ request_range: { key: keyBuffer } }]
            },
            this.callOptions(ctx)
          )
        );
        seenRevision = res.header.revision;
        if (res.succeeded) {
          acquiredRevision = res.header.revision;
        } else {
          const current = res.responses[0]?.response_range.kvs[0];
          // A retried attempt may find the key created by its own earlier, timed-out attempt.
          if (current !== undefined && current.lease === grant.ID) {
            acquiredRevision = current.create_revision;
          }
        }
      } catch (error) {
        this.dropKeeper(keeper);
        await keeper.revoke().catch(() => undefined);
        throw error;
      }
      if (acquiredRevision !== undefined) {
        const token = acquiredRevision;
        const watcher = this.watchHolder(fullKey, token, grant.ID, (detail) => handle?.markLost(detail));
        handle = this.newLock(
          key,
          fullKey,
          token,
          grant.ID,
          async () => {
            await keeper.revoke();
          },
          () => {
            this.dropKeeper(keeper);
            keeper.stop();
            void this.cancelWatcher(watcher);
          }
        );
        return handle;
      }
      // Held by someone else: give our lease back, and wait for the key to go away.
      this.dropKeeper(keeper);
      await keeper.revoke().catch(() => undefined);
      if (!wait) {
        return undefined;
      }
      await this.waitForDelete(fullKey, seenRevision, signal);
    }
  }

  /** Resolve once `fullKey` is deleted after `revision` (watch), or is found absent (safety re-check). */
  private async waitForDelete(fullKey: string, revision: string, signal: AbortSignal): Promise<void> {
    const watcher = this.client
      .watch()
      .key(Buffer.from(fullKey))
      .startRevision(String(BigInt(revision) + 1n))
      .only('delete')
      .watcher();
    this.watchers.add(watcher);
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          finish();
          reject(signal.reason);
        };
        const finish = (): void => {
          clearInterval(recheck);
          signal.removeEventListener('abort', onAbort);
          watcher.removeAllListeners('delete');
        };
        watcher.on('delete', () => {
          finish();
          resolve();
        });
        watcher.on('error', () => undefined);
        // Safety net if the watch stream is stuck: look once per lock TTL (not a busy loop).
        const recheck = setInterval(() => {
          this.client.kv
            .range(
              { key: Buffer.from(fullKey), keys_only: true },
              { deadline: Date.now() + this.retry.requestTimeoutMs }
            )
            .then((res) => {
              if (res.kvs.length === 0) {
                finish();
                resolve();
              }
            })
            .catch(() => undefined);
        }, this.lockTtlMs);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      await this.cancelWatcher(watcher);
    }
  }

  /** Watch a held lock key: deletion, or a put under another lease, means the lock is lost. */
  private watchHolder(
    fullKey: string,
    token: string,
    leaseId: string,
    lost: (detail: string) => void
  ): Watcher {
    const watcher = this.client
      .watch()
      .key(Buffer.from(fullKey))
      .startRevision(String(BigInt(token) + 1n))
      .watcher();
    this.watchers.add(watcher);
    watcher.on('delete', () => lost('the lock key was deleted (lease revoked or expired)'));
    watcher.on('put', (kv) => {
      if (kv.lease !== leaseId || kv.create_revision !== token) {
        lost('the lock key was taken over');
      }
    });
    watcher.on('error', () => undefined);
    return watcher;
  }

  private async cancelWatcher(watcher: Watcher): Promise<void> {
    if (!this.watchers.delete(watcher)) return;
    watcher.removeAllListeners();
    watcher.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      watcher.cancel().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.retry.requestTimeoutMs);
      })
    ]);
    clearTimeout(timer);
  }

  private dropKeeper(keeper: EtcdLeaseKeeper): void {
    this.keepers.delete(keeper);
  }

  protected async doClose(): Promise<void> {
    for (const keeper of this.keepers) keeper.stop();
    this.keepers.clear();
    await Promise.all([...this.watchers].map((w) => this.cancelWatcher(w)));
    this.client.close();
  }

  private callOptions(ctx: KvAttemptContext): { deadline: number } {
    void ctx;
    return { deadline: Date.now() + this.retry.requestTimeoutMs };
  }
}

function toEntry(kv: IKeyValue): KvEntry {
  const value = kv.value as Buffer | undefined;
  return {
    value: value === undefined || value.length === 0 ? new Uint8Array(EMPTY) : new Uint8Array(value),
    version: kv.mod_revision
  };
}

function toBuffer(value: Buffer | string | undefined): Buffer | undefined {
  return value === undefined ? undefined : Buffer.isBuffer(value) ? value : Buffer.from(value);
}

function toBufferView(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** [key, range_end] covering every key that starts with `prefix` (all keys for ""). */
function prefixRange(prefix: string): [Buffer, Buffer] {
  if (prefix === '') {
    return [Buffer.from([0]), Buffer.from([0])];
  }
  const start = Buffer.from(prefix);
  const end = Buffer.from(start);
  for (let i = end.length - 1; i >= 0; i -= 1) {
    const byte = end[i] ?? 0;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return [start, end.subarray(0, i + 1)];
    }
  }
  return [start, Buffer.from([0])];
}
