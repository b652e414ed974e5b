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

  constructor(
    readonly parent: TaskScope | undefined,
    /** The collector a top-level task was started from (inherited by its nested tasks). */
    readonly collector: Collector | undefined
  ) {}
}

/**
 * The context of work that runs outside any task but whose writes someone waits for (see
 * {@link SerialExecutor.collect}). Tasks started from it are top-level tasks; the collector counts them.
 */
class Collector {
  open = true;
  private pending = 0;
  private waiters: Array<() => void> = [];

  get idle(): boolean {
    return this.pending === 0;
  }

  track(p: Promise<unknown>): void {
    this.pending++;
    const settle = (): void => {
      this.pending--;
      if (this.pending === 0) {
        const w = this.waiters;
        this.waiters = [];
        for (const wake of w) wake();
      }
    };
    p.then(settle, settle);
  }

  /** Waits until every tracked promise (including ones tracked while waiting) settled, then closes. */
  async drain(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.open = false;
  }
}

type Context = TaskScope | Collector;

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
 * ancestor scope, or to the top-level lane. Work run through {@link SerialExecutor.collect} is outside every
 * task: its tasks are top-level tasks, counted by the collector so that someone can wait for them.
 */
export class SerialExecutor {
  private readonly storage = new AsyncLocalStorage<Context>();
  private readonly top = new Lane();

  /** Runs a task serialised with all other tasks of this executor. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const parent = this.activeScope();
    const lane = parent ? parent.lane : this.top;
    const collector = parent ? parent.collector : this.openCollector();
    const result = lane.enqueue(() => {
      const scope = new TaskScope(parent, collector);
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
    if (!parent && collector) collector.track(result);
    return result;
  }

  /**
   * Runs `fn` outside any task (as if from a timer of no task) and collects the top-level tasks it starts,
   * synchronously or from asynchronous work it started, until they all settled. Returns undefined if `fn`
   * started nothing and returned no promise, else a promise that resolves (never rejects) once `fn`'s promise
   * and every collected task settled. Tasks started after that are not collected. Used to deliver the events
   * of a pipelined commit: writes started by listeners are ordinary top-level tasks, and the mutation that
   * published the events waits for them.
   */
  collect(fn: () => void | Promise<void>): Promise<void> | undefined {
    const collector = new Collector();
    const r = this.storage.run(collector, fn);
    if (r instanceof Promise) collector.track(r);
    if (collector.idle) {
      collector.open = false;
      return undefined;
    }
    return collector.drain();
  }

  /**
   * Runs `fn` on the current task's child lane, i.e. after nested tasks already started by this task's
   * callbacks and before nested tasks started later. Used for the mutation phase of a task. Outside a task it
   * simply runs `fn`.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const scope = this.storage.getStore();
    return scope instanceof TaskScope && scope.active ? scope.lane.enqueue(fn) : fn();
  }

  /**
   * Counts `p` in the collector of the current context, if it runs outside every active task and a collector
   * is open (for work that outlives its task, e.g. a mutation waiting for durability after its task ended).
   */
  track(p: Promise<unknown>): void {
    if (this.activeScope()) return;
    this.openCollector()?.track(p);
  }

  /** True if called from inside a running task (including its callbacks). */
  get inTask(): boolean {
    return this.activeScope() !== undefined;
  }

  /** True if called from inside a nested task (one started from another task's callbacks). */
  get nested(): boolean {
    return this.activeScope()?.parent !== undefined;
  }

  /** Number of top-level tasks queued or running. */
  get pending(): number {
    return this.top.size;
  }

  private activeScope(): TaskScope | undefined {
    const ctx = this.storage.getStore();
    let s = ctx instanceof TaskScope ? ctx : undefined;
    while (s && !s.active) s = s.parent;
    return s;
  }

  /** The open collector of the current context (outside any active task), if any. */
  private openCollector(): Collector | undefined {
    const ctx = this.storage.getStore();
    const c = ctx instanceof Collector ? ctx : ctx?.collector;
    return c?.open ? c : undefined;
  }
}
