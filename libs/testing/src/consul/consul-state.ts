import { randomUUID } from 'node:crypto';

/** One KV entry as Consul stores it. */
export interface ConsulKvEntry {
  readonly key: string;
  readonly value: Buffer;
  readonly flags: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
  readonly lockIndex: number;
  readonly session?: string;
}

export interface ConsulSession {
  readonly id: string;
  readonly name: string;
  readonly node: string;
  readonly lockDelayMs: number;
  readonly behavior: 'release' | 'delete';
  /** TTL text as given at creation ("" when the session has no TTL). */
  readonly ttl: string;
  readonly ttlMs: number | undefined;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

/** A KV operation of `PUT /v1/txn`, already decoded. */
export interface ConsulTxnKvOp {
  readonly verb: string;
  readonly key: string;
  readonly value: Buffer;
  readonly flags: number;
  readonly index: number;
  readonly session: string;
}

export interface ConsulTxnError {
  readonly OpIndex: number;
  readonly What: string;
}

export type ConsulTxnOutcome =
  | { readonly ok: true; readonly results: { entry: ConsulKvEntry; withValue: boolean }[] }
  | { readonly ok: false; readonly errors: ConsulTxnError[] };

interface Waiter {
  readonly check: () => boolean;
  readonly wake: () => void;
}

const WRITE_VERBS = new Set(['set', 'cas', 'lock', 'unlock', 'delete', 'delete-tree', 'delete-cas']);

/**
 * The data model behind {@link ConsulTestServer}: a Raft-like global index, KV entries with
 * Create/Modify/Lock indexes, tombstones, sessions with TTL and lock-delay, atomic transactions,
 * and change notification for blocking queries. Single-threaded: every method runs to completion.
 */
export class ConsulState {
  private raftIndex = 1;
  private kvTableIndex = 1;
  private readonly kv = new Map<string, ConsulKvEntry>();
  private readonly tombstones = new Map<string, number>();
  private readonly sessionTable = new Map<string, ConsulSession>();
  private readonly sessionTimers = new Map<string, NodeJS.Timeout>();
  private readonly lockDelays = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly options: {
      readonly sessionTtlMultiplier: number;
      readonly now?: () => number;
    }
  ) {}

  get index(): number {
    return this.raftIndex;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  // ---------------------------------------------------------------- reads

  get(key: string): ConsulKvEntry | undefined {
    return this.kv.get(key);
  }

  /** Entries whose key starts with `prefix`, sorted by key. */
  list(prefix: string): ConsulKvEntry[] {
    const out: ConsulKvEntry[] = [];
    for (const entry of this.kv.values()) {
      if (entry.key.startsWith(prefix)) {
        out.push(entry);
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The X-Consul-Index of a single-key read. */
  keyIndex(key: string): number {
    return this.kv.get(key)?.modifyIndex ?? Math.max(this.kvTableIndex, 1);
  }

  /** The X-Consul-Index of a prefix read (recurse or keys): newest change under the prefix. */
  prefixIndex(prefix: string): number {
    let max = 0;
    for (const entry of this.kv.values()) {
      if (entry.key.startsWith(prefix) && entry.modifyIndex > max) {
        max = entry.modifyIndex;
      }
    }
    for (const [key, index] of this.tombstones) {
      if (key.startsWith(prefix) && index > max) {
        max = index;
      }
    }
    return max > 0 ? max : Math.max(this.kvTableIndex, 1);
  }

  // ---------------------------------------------------------------- blocking

  /**
   * Resolve once `currentIndex()` exceeds `minIndex`, after `waitMs`, or when `signal` aborts.
   * Returns true if woken by a change.
   */
  waitFor(
    currentIndex: () => number,
    minIndex: number,
    waitMs: number,
    signal: AbortSignal
  ): Promise<boolean> {
    if (currentIndex() > minIndex) {
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const finish = (changed: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        signal.removeEventListener('abort', onAbort);
        resolve(changed);
      };
      const onAbort = (): void => finish(false);
      const waiter: Waiter = {
        check: () => currentIndex() > minIndex,
        wake: () => finish(true)
      };
      const timer = setTimeout(() => finish(false), waitMs);
      this.waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        waiter.wake();
      }
    }
  }

  /** Wake every blocked query (used on shutdown). */
  wakeAll(): void {
    for (const waiter of [...this.waiters]) {
      waiter.wake();
    }
  }

  // ---------------------------------------------------------------- KV writes (HTTP /v1/kv)

  /** `PUT /v1/kv/<key>` with optional cas/acquire/release. Returns Consul's true/false. */
  put(
    key: string,
    value: Buffer,
    options: { flags?: number; cas?: number; acquire?: string; release?: string }
  ): boolean {
    const outcome = this.transact([
      {
        verb:
          options.acquire !== undefined
            ? 'lock'
            : options.release !== undefined
              ? 'unlock'
              : options.cas !== undefined
                ? 'cas'
                : 'set',
        key,
        value,
        flags: options.flags ?? 0,
        index: options.cas ?? 0,
        session: options.acquire ?? options.release ?? ''
      }
    ]);
    if (!outcome.ok) {
      const what = outcome.errors[0]?.What ?? '';
      if (what.startsWith('invalid session')) {
        throw new ConsulStateError(500, what);
      }
      return false;
    }
    return true;
  }

  /** `DELETE /v1/kv/<key>` with optional recurse/cas. */
  delete(key: string, options: { recurse?: boolean; cas?: number }): boolean {
    const verb =
      options.recurse === true ? 'delete-tree' : options.cas !== undefined ? 'delete-cas' : 'delete';
    const outcome = this.transact([
      { verb, key, value: Buffer.alloc(0), flags: 0, index: options.cas ?? 0, session: '' }
    ]);
    return outcome.ok;
  }

  // ---------------------------------------------------------------- transactions

  isWrite(verb: string): boolean {
    return WRITE_VERBS.has(verb);
  }

  /**
   * Apply KV operations atomically: every operation is evaluated against a staged view; if any
   * fails nothing is applied and all failures are reported; otherwise all writes get one new index.
   */
  transact(ops: readonly ConsulTxnKvOp[]): ConsulTxnOutcome {
    const staged = new Map<string, ConsulKvEntry | null>();
    const read = (key: string): ConsulKvEntry | undefined => {
      const s = staged.get(key);
      return s === null ? undefined : (s ?? this.kv.get(key));
    };
    const keysWithPrefix = (prefix: string): string[] => {
      const keys = new Set<string>();
      for (const k of this.kv.keys()) {
        if (k.startsWith(prefix)) keys.add(k);
      }
      for (const [k, v] of staged) {
        if (!k.startsWith(prefix)) continue;
        if (v === null) keys.delete(k);
        else keys.add(k);
      }
      return [...keys].sort();
    };
    const nextIndex = this.raftIndex + 1;
    const errors: ConsulTxnError[] = [];
    const results: { entry: ConsulKvEntry; withValue: boolean }[] = [];
    const now = this.now();
    let writes = 0;

    const write = (
      key: string,
      value: Buffer,
      flags: number,
      patch: Partial<ConsulKvEntry> = {}
    ): ConsulKvEntry => {
      const existing = read(key);
      const entry: ConsulKvEntry = {
        key,
        value,
        flags,
        createIndex: existing?.createIndex ?? nextIndex,
        modifyIndex: nextIndex,
        lockIndex: existing?.lockIndex ?? 0,
        ...(existing?.session !== undefined ? { session: existing.session } : {}),
        ...patch
      };
      staged.set(key, entry);
      writes += 1;
      return entry;
    };

    ops.forEach((op, opIndex) => {
      const fail = (what: string): void => {
        errors.push({ OpIndex: opIndex, What: what });
      };
      const existing = read(op.key);
      switch (op.verb) {
        case 'set':
          results.push({ entry: write(op.key, op.value, op.flags), withValue: false });
          break;
        case 'cas':
          if (op.index === 0 ? existing !== undefined : existing?.modifyIndex !== op.index) {
            fail(`failed to set key "${op.key}", index is stale`);
          } else {
            results.push({ entry: write(op.key, op.value, op.flags), withValue: false });
          }
          break;
        case 'lock': {
          if (!this.sessionTable.has(op.session)) {
            fail(`invalid session "${op.session}"`);
            break;
          }
          if (existing?.session !== undefined && existing.session !== op.session) {
            fail(`failed to lock key "${op.key}", lock is already held`);
            break;
          }
          const delayedUntil = this.lockDelays.get(op.key);
          if (existing?.session !== op.session && delayedUntil !== undefined && delayedUntil > now) {
            fail(`failed to lock key "${op.key}", lock-delay is in effect`);
            break;
          }
          const lockIndex =
            existing?.session === op.session ? (existing?.lockIndex ?? 0) : (existing?.lockIndex ?? 0) + 1;
          results.push({
            entry: write(op.key, op.value, op.flags, { session: op.session, lockIndex }),
            withValue: false
          });
          break;
        }
        case 'unlock': {
          if (existing === undefined || existing.session !== op.session) {
            fail(`failed to unlock key "${op.key}", lock isn't held, or is held by another session`);
            break;
          }
          const entry = write(op.key, op.value, op.flags);
          const { session: _released, ...rest } = entry;
          staged.set(op.key, rest);
          results.push({ entry: rest, withValue: false });
          break;
        }
        case 'get':
          if (existing === undefined) {
            fail(`key "${op.key}" doesn't exist`);
          } else {
            results.push({ entry: existing, withValue: true });
          }
          break;
        case 'get-tree':
          for (const key of keysWithPrefix(op.key)) {
            const entry = read(key);
            if (entry !== undefined) {
              results.push({ entry, withValue: true });
            }
          }
          break;
        case 'check-index':
          if (existing === undefined) {
            fail(`key "${op.key}" doesn't exist`);
          } else if (existing.modifyIndex !== op.index) {
            fail(`current modify index ${existing.modifyIndex} != ${op.index}`);
          } else {
            results.push({ entry: existing, withValue: false });
          }
          break;
        case 'check-session':
          if (existing === undefined) {
            fail(`key "${op.key}" doesn't exist`);
          } else if (existing.session !== op.session) {
            fail(
              `failed session check for key "${op.key}", current session "${existing.session ?? ''}" != "${op.session}"`
            );
          } else {
            results.push({ entry: existing, withValue: false });
          }
          break;
        case 'check-not-exists':
          if (existing !== undefined) {
            fail(`key "${op.key}" exists`);
          }
          break;
        case 'delete':
          if (existing !== undefined) {
            staged.set(op.key, null);
            writes += 1;
          }
          break;
        case 'delete-tree':
          for (const key of keysWithPrefix(op.key)) {
            staged.set(key, null);
            writes += 1;
          }
          break;
        case 'delete-cas':
          if (existing === undefined || existing.modifyIndex !== op.index) {
            fail(`failed to delete key "${op.key}", index is stale`);
          } else {
            staged.set(op.key, null);
            writes += 1;
          }
          break;
        default:
          fail(`unknown KV verb "${op.verb}"`);
      }
    });

    if (errors.length > 0) {
      return { ok: false, errors };
    }
    if (writes > 0) {
      this.raftIndex = nextIndex;
      this.kvTableIndex = nextIndex;
      for (const [key, entry] of staged) {
        if (entry === null) {
          if (this.kv.delete(key)) {
            this.tombstones.set(key, nextIndex);
          }
        } else {
          this.kv.set(key, entry);
          this.tombstones.delete(key);
        }
      }
      this.notify();
    }
    return { ok: true, results };
  }

  // ---------------------------------------------------------------- sessions

  sessions(): ConsulSession[] {
    return [...this.sessionTable.values()];
  }

  session(id: string): ConsulSession | undefined {
    return this.sessionTable.get(id);
  }

  createSession(spec: {
    name: string;
    node: string;
    lockDelayMs: number;
    behavior: 'release' | 'delete';
    ttl: string;
    ttlMs: number | undefined;
  }): ConsulSession {
    this.raftIndex += 1;
    const session: ConsulSession = {
      id: randomUUID(),
      ...spec,
      createIndex: this.raftIndex,
      modifyIndex: this.raftIndex
    };
    this.sessionTable.set(session.id, session);
    this.armTtl(session);
    this.notify();
    return session;
  }

  /** Renew a TTL session; undefined when it no longer exists. */
  renewSession(id: string): ConsulSession | undefined {
    const session = this.sessionTable.get(id);
    if (session !== undefined) {
      this.armTtl(session);
    }
    return session;
  }

  /**
   * Invalidate a session (destroy or TTL expiry): its locks are released (or their keys deleted,
   * for Behavior=delete) and lock-delay starts for those keys.
   */
  invalidateSession(id: string): boolean {
    const session = this.sessionTable.get(id);
    if (session === undefined) {
      return false;
    }
    const timer = this.sessionTimers.get(id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.sessionTimers.delete(id);
    }
    this.sessionTable.delete(id);
    this.raftIndex += 1;
    const index = this.raftIndex;
    const delayUntil = this.now() + session.lockDelayMs;
    for (const entry of [...this.kv.values()]) {
      if (entry.session !== id) {
        continue;
      }
      if (session.lockDelayMs > 0) {
        this.lockDelays.set(entry.key, delayUntil);
      }
      if (session.behavior === 'delete') {
        this.kv.delete(entry.key);
        this.tombstones.set(entry.key, index);
      } else {
        const { session: _released, ...rest } = entry;
        this.kv.set(entry.key, { ...rest, modifyIndex: index });
      }
      this.kvTableIndex = index;
    }
    this.notify();
    return true;
  }

  private armTtl(session: ConsulSession): void {
    const previous = this.sessionTimers.get(session.id);
    if (previous !== undefined) {
      clearTimeout(previous);
    }
    if (session.ttlMs === undefined) {
      return;
    }
    const timer = setTimeout(
      () => this.invalidateSession(session.id),
      session.ttlMs * this.options.sessionTtlMultiplier
    );
    timer.unref();
    this.sessionTimers.set(session.id, timer);
  }

  /** Stop all timers (server shutdown). */
  dispose(): void {
    for (const timer of this.sessionTimers.values()) {
      clearTimeout(timer);
    }
    this.sessionTimers.clear();
    this.wakeAll();
  }
}

/** An error the HTTP layer turns into a status code and a plain-text body. */
export class ConsulStateError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'ConsulStateError';
  }
}
