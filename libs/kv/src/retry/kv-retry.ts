import { KvClosedError, KvError, KvTimeoutError, KvUnavailableError, TransientKvError } from '../kv.error';

/** Timeout and retry settings of every KV call. All durations in milliseconds. */
export interface KvRetryOptions {
  /** Per-attempt timeout (VOLTHA 2.x `KVStoreTimeout`, default 5000). */
  readonly requestTimeoutMs: number;
  /** Attempts in total, the first included (default 6). */
  readonly maxAttempts: number;
  /** Delay before the first retry (default 100). */
  readonly initialDelayMs: number;
  /** Cap of a single delay (default 5000). */
  readonly maxDelayMs: number;
  /** Growth factor between delays (default 2). */
  readonly multiplier: number;
  /**
   * Time budget: no retry is started once this much time has passed since the call started, so a
   * call ends within about `maxElapsedMs + requestTimeoutMs` (default 30000).
   */
  readonly maxElapsedMs: number;
  /** Fraction of each delay that is randomised (0 = none, 1 = "full jitter"; default 0.5). */
  readonly jitter: number;
  /** Source of randomness in [0, 1) (default Math.random); inject for deterministic tests. */
  readonly random?: () => number;
  /** Called before each backoff sleep (logging, metrics, tests). */
  readonly onRetry?: (event: KvRetryEvent) => void;
}

export interface KvRetryEvent {
  readonly operation: string;
  /** The attempt that failed (1 = first). */
  readonly attempt: number;
  /** How long we sleep before the next attempt. */
  readonly delayMs: number;
  readonly error: KvError;
}

export const DEFAULT_KV_RETRY: KvRetryOptions = {
  requestTimeoutMs: 5000,
  maxAttempts: 6,
  initialDelayMs: 100,
  maxDelayMs: 5000,
  multiplier: 2,
  maxElapsedMs: 30_000,
  jitter: 0.5
};

/** Merge partial options over the defaults and validate them. */
export function resolveRetryOptions(partial: Partial<KvRetryOptions> | undefined): KvRetryOptions {
  const options = { ...DEFAULT_KV_RETRY, ...partial };
  const positive: (keyof KvRetryOptions)[] = ['requestTimeoutMs', 'maxAttempts', 'multiplier'];
  for (const name of positive) {
    const value = options[name];
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`kv retry option ${name} must be > 0, got ${String(value)}`);
    }
  }
  for (const name of ['initialDelayMs', 'maxDelayMs', 'maxElapsedMs'] as const) {
    if (!(options[name] >= 0)) {
      throw new RangeError(`kv retry option ${name} must be >= 0, got ${options[name]}`);
    }
  }
  if (!(options.jitter >= 0 && options.jitter <= 1)) {
    throw new RangeError(`kv retry option jitter must be within [0, 1], got ${options.jitter}`);
  }
  return options;
}

/**
 * The delay before retry number `retry` (1 = after the first failure): exponential growth capped
 * at `maxDelayMs`, of which the `jitter` fraction is random.
 */
export function backoffDelay(retry: number, options: KvRetryOptions): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (retry - 1));
  const random = (options.random ?? Math.random)();
  return Math.round(base * (1 - options.jitter * random));
}

/** An awaited timer (never blocks the event loop); rejects with `signal.reason` on abort. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) {
    return Promise.reject(signal.reason);
  }
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface KvAttemptContext {
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Aborted when this attempt times out or the store closes: cancel the request. */
  readonly signal: AbortSignal;
}

/**
 * Run `attempt` with a per-attempt timeout, retrying transient failures (as classified by
 * `classify`) with exponential backoff and jitter until the attempt or time budget is used up.
 * Permanent errors are rethrown at once. `closed` aborts everything with `KvClosedError`.
 */
export async function withRetry<T>(
  operation: string,
  options: KvRetryOptions,
  classify: (error: unknown) => KvError,
  attempt: (context: KvAttemptContext) => Promise<T>,
  closed?: AbortSignal
): Promise<T> {
  const started = Date.now();
  let lastError: KvError | undefined;
  for (let n = 1; ; n += 1) {
    if (closed?.aborted === true) {
      throw new KvClosedError(operation);
    }
    try {
      return await runAttempt(operation, options.requestTimeoutMs, n, classify, attempt, closed);
    } catch (error) {
      const kvError = error instanceof KvError ? error : classify(error);
      if (!(kvError instanceof TransientKvError)) {
        throw kvError;
      }
      lastError = kvError;
    }
    const elapsed = Date.now() - started;
    const delayMs = backoffDelay(n, options);
    if (n >= options.maxAttempts || elapsed + delayMs > options.maxElapsedMs) {
      throw new KvUnavailableError(operation, n, elapsed, lastError);
    }
    options.onRetry?.({ operation, attempt: n, delayMs, error: lastError });
    try {
      await sleep(delayMs, closed);
    } catch {
      throw new KvClosedError(operation);
    }
  }
}

async function runAttempt<T>(
  operation: string,
  timeoutMs: number,
  n: number,
  classify: (error: unknown) => KvError,
  attempt: (context: KvAttemptContext) => Promise<T>,
  closed: AbortSignal | undefined
): Promise<T> {
  const controller = new AbortController();
  const timeoutError = new KvTimeoutError(operation, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const onClosed = (): void => controller.abort(new KvClosedError(operation));
  closed?.addEventListener('abort', onClosed, { once: true });
  const stop = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeoutError);
      reject(timeoutError);
    }, timeoutMs);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as unknown), {
      once: true
    });
  });
  try {
    const work = attempt({ attempt: n, signal: controller.signal });
    // If the race is lost the attempt may still reject later: observe it so it is not unhandled.
    work.catch(() => undefined);
    return await Promise.race([work, stop]);
  } catch (error) {
    throw error instanceof KvError ? error : classify(error);
  } finally {
    clearTimeout(timer);
    closed?.removeEventListener('abort', onClosed);
  }
}
