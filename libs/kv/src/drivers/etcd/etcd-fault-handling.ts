import type { IOptions } from 'etcd3';

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type Policy = NonNullable<FaultHandling['global']>;
type Backoff = NonNullable<FaultHandling['watchBackoff']>;

const noDisposable = { dispose: (): void => undefined };

/**
 * A pass-through policy for etcd3's cockatiel slots: our own retry layer (with budgets and typed
 * errors) is the only one, and etcd3's default circuit breaker must not park a recovered host.
 */
class PassThroughPolicy {
  declare readonly _altReturn: never;
  readonly onSuccess = (): typeof noDisposable => noDisposable;
  readonly onFailure = (): typeof noDisposable => noDisposable;

  execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    return Promise.resolve().then(() => fn({ signal: signal ?? new AbortController().signal }));
  }
}

/** Exponential reconnect backoff for watch streams, with jitter, capped at `maxMs`. */
class CappedBackoff {
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly attempt = 0
  ) {}

  get duration(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  next(): CappedBackoff {
    return new CappedBackoff(this.initialMs, this.maxMs, this.attempt + 1);
  }
}

export function passThroughPolicy(): Policy {
  return new PassThroughPolicy() as unknown as Policy;
}

export function watchBackoff(initialMs: number, maxMs: number): Backoff {
  return new CappedBackoff(initialMs, maxMs);
}
