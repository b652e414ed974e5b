import type { Scheduler, TimerHandle } from '../lib/scheduler';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Lets every pending microtask (promise continuation) run. */
export const flushMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Virtual time for tests: timers only fire when the test calls `settle` (everything due now) or
 * `advance` (move the clock). Timers due at the same instant fire in the order they were set, so runs
 * are deterministic; microtasks are flushed between rounds, so promise chains started by a timer make
 * progress before the next round.
 */
export class VirtualScheduler implements Scheduler {
  private readonly heap: Timer[] = [];
  private seq = 0;
  private time: number;

  /** Default start: 2017-09-12T00:00:00Z (VOLTHA 1.0.0). */
  public constructor(startMs = Date.UTC(2017, 8, 12)) {
    this.time = startMs;
  }

  public now(): number {
    return this.time;
  }

  public setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Timers not yet fired nor cancelled. */
  public get pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Time of the next live timer, or undefined. */
  public nextTimerAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /**
   * Runs every timer due at the current time (including those that become due because earlier ones
   * set zero-delay timers), flushing microtasks between rounds, until nothing is due.
   */
  public async settle(maxRounds = 1_000_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      await flushMicrotasks();
      const due = this.takeDue(this.time);
      if (due.length === 0) return;
      for (const timer of due) if (!timer.cancelled) timer.fn();
    }
    throw new Error(`VirtualScheduler.settle: still busy after ${maxRounds} rounds`);
  }

  /** Moves the clock forward by `ms`, firing timers in time order and settling at each instant. */
  public async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await this.settle();
    for (;;) {
      const next = this.nextTimerAt();
      if (next === undefined || next > end) break;
      this.time = next;
      await this.settle();
    }
    this.time = end;
    await this.settle();
  }

  private takeDue(now: number): Timer[] {
    const due: Timer[] = [];
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (!top || top.at > now) return due;
      this.pop();
      due.push(top);
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

/** A small seeded PRNG (mulberry32) for reproducible serial numbers, counters and alarms. */
export function seededRandom(seed = 1): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
