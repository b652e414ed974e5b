import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One FIFO lane of tasks. `drain` resolves once every task enqueued so far (and any enqueued while
 * draining) has settled.
 */
class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private waiters: Array<() => void> = [];

  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => this.settle(),
      () => this.settle()
    );
    return result;
  }

  get size(): number {
    return this.pending;
  }

  private settle(): void {
    this.pending--;
    if (this.pending === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const wake of w) wake();
    }
  }

  /** Waits until the lane is idle, then runs `onIdle` synchronously (no task can slip in between). */
  async drain(onIdle: () => void): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    onIdle();
  }
}

/** The scope of one running task: nested tasks started from its callbacks run on its child lane. */
class TaskScope {
  active = true;
  readonly lane = new Lane();

  constructor(readonly parent: TaskScope | undefined) {}
}

/**
 * Serialises all mutations of one tree, with re-entrancy.
 *
 * Top-level tasks run one at a time in FIFO order. A task started while another task's callbacks are
 * running (recognised through AsyncLocalStorage, so it works across awaits and timers) is a nested task: it
 * runs on the child lane of the running task instead of the top-level lane, so it never waits for the task
 * that (indirectly) started it and cannot deadlock. Nested tasks of one scope are serialised among
 * themselves and with the owning task's own mutation phase (see {@link SerialExecutor.exclusive}); a task
 * completes only after all its nested tasks completed, awaited by their caller or not. When a callback
 * starts a task after its scope has finished (e.g. from a timer), the task goes to the nearest active
 * ancestor scope, or to the top-level lane.
 */
export class SerialExecutor {
  private readonly storage = new AsyncLocalStorage<TaskScope>();
  private readonly top = new Lane();

  /** Runs a task serialised with all other tasks of this executor. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const parent = this.activeScope();
    const lane = parent ? parent.lane : this.top;
    return lane.enqueue(() => {
      const scope = new TaskScope(parent);
      return this.storage.run(scope, async () => {
        try {
          return await task();
        } finally {
          await scope.lane.drain(() => {
            scope.active = false;
          });
        }
      });
    });
  }

  /**
   * Runs `fn` on the current task's child lane, i.e. after nested tasks already started by this task's
   * callbacks and before nested tasks started later. Used for the mutation phase of a task. Outside a task it
   * simply runs `fn`.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const scope = this.storage.getStore();
    return scope && scope.active ? scope.lane.enqueue(fn) : fn();
  }

  /** True if called from inside a running task (including its callbacks). */
  get inTask(): boolean {
    return this.activeScope() !== undefined;
  }

  /** Number of top-level tasks queued or running. */
  get pending(): number {
    return this.top.size;
  }

  private activeScope(): TaskScope | undefined {
    let s = this.storage.getStore();
    while (s && !s.active) s = s.parent;
    return s;
  }
}
