import {
  KvClosedError,
  KvTimeoutError,
  KvUnavailableError,
  PermanentKvError,
  TransientKvError,
  ValueTooLargeError
} from '../kv.error';
import { backoffDelay, resolveRetryOptions, sleep, withRetry, type KvRetryEvent } from './kv-retry';

const transient = (error: unknown) => new TransientKvError(String(error));

describe('backoffDelay', () => {
  it('should grow exponentially up to the cap, without jitter', () => {
    const options = resolveRetryOptions({ initialDelayMs: 100, multiplier: 2, maxDelayMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('should randomise the jitter fraction of each delay', () => {
    const low = resolveRetryOptions({ initialDelayMs: 100, jitter: 0.5, random: () => 0.999999 });
    const high = resolveRetryOptions({ initialDelayMs: 100, jitter: 0.5, random: () => 0 });
    expect(backoffDelay(1, low)).toBe(50);
    expect(backoffDelay(1, high)).toBe(100);
    expect(backoffDelay(3, low)).toBe(200);
  });

  it('should reject invalid options', () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ jitter: 2 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ initialDelayMs: -1 })).toThrow(RangeError);
  });
});

describe('withRetry', () => {
  const fast = resolveRetryOptions({
    requestTimeoutMs: 200,
    maxAttempts: 4,
    initialDelayMs: 10,
    maxDelayMs: 40,
    maxElapsedMs: 5000,
    jitter: 0
  });

  it('should retry transient failures with awaited, growing delays and then succeed', async () => {
    const events: KvRetryEvent[] = [];
    let calls = 0;
    const started = Date.now();
    const result = await withRetry('get', { ...fast, onRetry: (e) => events.push(e) }, transient, () => {
      calls += 1;
      return calls < 3 ? Promise.reject(new Error(`fail ${calls}`)) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(events.map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 10],
      [2, 20]
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(28);
  });

  it('should not retry permanent errors', async () => {
    let calls = 0;
    await expect(
      withRetry('put', fast, transient, () => {
        calls += 1;
        return Promise.reject(new ValueTooLargeError('too big'));
      })
    ).rejects.toBeInstanceOf(ValueTooLargeError);
    expect(calls).toBe(1);
    await expect(
      withRetry(
        'put',
        fast,
        () => new PermanentKvError('nope'),
        () => Promise.reject(new Error('x'))
      )
    ).rejects.toBeInstanceOf(PermanentKvError);
  });

  it('should stop after maxAttempts with KvUnavailableError carrying the last cause', async () => {
    const error = await withRetry('get', fast, transient, () => Promise.reject(new Error('down'))).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(KvUnavailableError);
    expect((error as KvUnavailableError).attempts).toBe(4);
    expect((error as KvUnavailableError).message).toContain('down');
  });

  it('should time out a hanging attempt, abort its signal and retry', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const result = await withRetry('get', fast, transient, ({ signal }) => {
      calls += 1;
      signals.push(signal);
      return calls === 1 ? new Promise<string>(() => undefined) : Promise.resolve('second');
    });
    expect(result).toBe('second');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBeInstanceOf(KvTimeoutError);
  });

  it('should respect the time budget', async () => {
    const options = resolveRetryOptions({
      ...fast,
      maxAttempts: 100,
      maxElapsedMs: 150,
      initialDelayMs: 50,
      maxDelayMs: 50
    });
    const started = Date.now();
    const error = await withRetry('get', options, transient, () => Promise.reject(new Error('down'))).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(KvUnavailableError);
    expect(Date.now() - started).toBeLessThan(400);
    expect((error as KvUnavailableError).attempts).toBeLessThan(5);
  });

  it('should keep the event loop free while backing off', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    const options = resolveRetryOptions({ ...fast, initialDelayMs: 100, maxDelayMs: 100, maxAttempts: 3 });
    await withRetry('get', options, transient, () => Promise.reject(new Error('down'))).catch(
      () => undefined
    );
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(10);
  });

  it('should abort sleeping and attempts when the store closes', async () => {
    const closing = new AbortController();
    const options = resolveRetryOptions({ ...fast, initialDelayMs: 1000, maxDelayMs: 1000 });
    const pending = withRetry(
      'get',
      options,
      transient,
      () => Promise.reject(new Error('down')),
      closing.signal
    );
    setTimeout(() => closing.abort(), 30);
    await expect(pending).rejects.toBeInstanceOf(KvClosedError);
    const hanging = withRetry('get', fast, transient, () => new Promise(() => undefined), closing.signal);
    await expect(hanging).rejects.toBeInstanceOf(KvClosedError);
  });
});

describe('sleep', () => {
  it('should reject with the abort reason', async () => {
    const controller = new AbortController();
    const pending = sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
