import { AdapterError } from './errors';

export interface TimerHandle {
  cancel(): void;
}

/**
 * Time and timers, injected into every adapter so that tests run on virtual time
 * (`VirtualScheduler` of the testing folder) and production on the system clock.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `delayMs` (0: as soon as possible, after the current microtasks). */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/** The system clock: `setTimeout`, or `setImmediate` for a zero delay. Timers can be unref'd. */
export class SystemScheduler implements Scheduler {
  public constructor(private readonly options: { unref?: boolean } = {}) {}

  public now(): number {
    return Date.now();
  }

  public setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (delayMs <= 0) {
      const immediate = setImmediate(fn);
      if (this.options.unref) immediate.unref();
      return { cancel: () => clearImmediate(immediate) };
    }
    const timeout = setTimeout(fn, delayMs);
    if (this.options.unref) timeout.unref();
    return { cancel: () => clearTimeout(timeout) };
  }
}

/** Raised inside a task whose group was cancelled; task groups swallow it. */
export class CancelledError extends AdapterError {
  public constructor() {
    super('cancelled', 'CANCELLED');
    this.name = 'CancelledError';
  }
}

/**
 * The background work of one device: cancellable sleeps, periodic jobs and spawned tasks. `cancel()`
 * stops all of it at once (disable, delete, stop): pending sleeps reject with `CancelledError`, which
 * ends the tasks waiting on them quietly.
 */
export class TaskGroup {
  private readonly waits = new Set<{ timer: TimerHandle; reject: (error: Error) => void }>();
  private readonly running = new Set<Promise<void>>();
  private readonly cancelListeners = new Set<(error: Error) => void>();
  private cancelledFlag = false;

  public constructor(
    private readonly scheduler: Scheduler,
    private readonly onError: (error: unknown) => void
  ) {}

  public get cancelled(): boolean {
    return this.cancelledFlag;
  }

  /** Resolves after `ms` of scheduler time; rejects with CancelledError if the group is cancelled. */
  public sleep(ms: number): Promise<void> {
    if (this.cancelledFlag) return Promise.reject(new CancelledError());
    return new Promise<void>((resolve, reject) => {
      const entry = {
        timer: this.scheduler.setTimer(ms, () => {
          this.waits.delete(entry);
          resolve();
        }),
        reject
      };
      this.waits.add(entry);
    });
  }

  /** Settles like `promise`, or rejects with CancelledError as soon as the group is cancelled. */
  public race<T>(promise: Promise<T>): Promise<T> {
    if (this.cancelledFlag) return Promise.reject(new CancelledError());
    return new Promise<T>((resolve, reject) => {
      const onCancel = (error: Error): void => reject(error);
      this.cancelListeners.add(onCancel);
      promise.then(
        (value) => {
          this.cancelListeners.delete(onCancel);
          resolve(value);
        },
        (error: unknown) => {
          this.cancelListeners.delete(onCancel);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      );
    });
  }

  /** Throws CancelledError when the group was cancelled (a check point between writes). */
  public check(): void {
    if (this.cancelledFlag) throw new CancelledError();
  }

  /** Runs `task` in the background; errors other than cancellation go to `onError`. */
  public spawn(task: () => Promise<void>): Promise<void> {
    const run = (async () => {
      try {
        this.check();
        await task();
      } catch (error) {
        if (!(error instanceof CancelledError)) this.onError(error);
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  /**
   * Runs `job` every `intervalMs()` ms (read again before each wait, so a changed frequency applies at
   * the next period) until cancelled; an interval <= 0 stops the loop.
   */
  public every(intervalMs: () => number, job: () => Promise<void>): void {
    void this.spawn(async () => {
      for (;;) {
        const ms = intervalMs();
        if (ms <= 0) return;
        await this.sleep(ms);
        try {
          await job();
        } catch (error) {
          if (error instanceof CancelledError) throw error;
          this.onError(error);
        }
      }
    });
  }

  public cancel(): void {
    this.cancelledFlag = true;
    for (const wait of this.waits) {
      wait.timer.cancel();
      wait.reject(new CancelledError());
    }
    this.waits.clear();
    for (const listener of this.cancelListeners) listener(new CancelledError());
    this.cancelListeners.clear();
  }

  /** Number of spawned tasks still running (for tests and health). */
  public get size(): number {
    return this.running.size;
  }
}

/** Runs async jobs one after another (the order they were queued in), whatever their outcome. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  public run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
