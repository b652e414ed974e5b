/** What the log needs of an event: its commit sequence number and the path of the changed node. */
export interface LoggedEvent {
  seq: number;
  path: string;
}

export class EventsNotRetainedError extends Error {
  public readonly code = 'FAILED_PRECONDITION';

  public constructor(fromSeq: number, oldest: number) {
    super(
      `events after seq ${fromSeq} are no longer retained (the oldest retained is seq ${oldest}); ` +
        'read the current state with Get and watch again from its seq'
    );
    this.name = 'EventsNotRetainedError';
  }
}

export class SubscriberOverflowError extends Error {
  public readonly code = 'RESOURCE_EXHAUSTED';

  public constructor(limit: number, lastSeq: number) {
    super(`watcher fell ${limit} events behind; resume with from_seq=${lastSeq}`);
    this.name = 'SubscriberOverflowError';
  }
}

export interface Subscription {
  close(): void;
}

interface Subscriber<E> {
  prefix: string;
  deliver(event: E): boolean;
}

/**
 * The change events of the last `capacity` commits' worth, in commit order, for Watch and
 * ReceiveChangeEvents: a subscriber can resume from a sequence number and gets every retained event
 * after it, then the live ones, with no gap and no duplicate. Old events fall off a ring buffer.
 */
export class EventLog<E extends LoggedEvent> {
  private readonly ring: (E | undefined)[];
  private start = 0;
  private size = 0;
  private readonly subscribers = new Set<Subscriber<E>>();
  /** Highest seq appended so far (or the seq the log starts after). */
  private lastSeq: number;

  public constructor(
    private readonly capacity: number,
    startSeq = 0
  ) {
    if (capacity < 1) throw new Error('event log capacity must be at least 1');
    this.ring = new Array<E | undefined>(capacity);
    this.lastSeq = startSeq;
  }

  public get latestSeq(): number {
    return this.lastSeq;
  }

  /** Lowest seq a subscriber may resume from without losing events. */
  public get oldestResumableSeq(): number {
    return this.size === 0 ? this.lastSeq : this.at(0).seq - 1;
  }

  public append(events: readonly E[]): void {
    for (const event of events) {
      if (event.seq < this.lastSeq) throw new Error(`event seq ${event.seq} is older than ${this.lastSeq}`);
      this.lastSeq = event.seq;
      if (this.size < this.capacity) {
        this.ring[(this.start + this.size) % this.capacity] = event;
        this.size++;
      } else {
        this.ring[this.start] = event;
        this.start = (this.start + 1) % this.capacity;
      }
      for (const sub of this.subscribers) {
        if (event.path.startsWith(sub.prefix) && !sub.deliver(event)) this.subscribers.delete(sub);
      }
    }
  }

  /**
   * Delivers every retained event with seq > fromSeq under `prefix` (fromSeq 0 or undefined: live
   * events only), then live ones. `deliver` returns false to stop the subscription.
   * Throws EventsNotRetainedError when events after fromSeq have already fallen off the log.
   */
  public subscribe(
    prefix: string,
    fromSeq: number | undefined,
    deliver: (event: E) => boolean
  ): Subscription {
    const sub: Subscriber<E> = { prefix, deliver };
    if (fromSeq !== undefined && fromSeq > 0) {
      if (fromSeq < this.oldestResumableSeq)
        throw new EventsNotRetainedError(fromSeq, this.oldestResumableSeq + 1);
      for (let i = this.firstIndexAfter(fromSeq); i < this.size; i++) {
        const event = this.at(i);
        if (event.path.startsWith(prefix) && !deliver(event)) return { close: () => undefined };
      }
    }
    this.subscribers.add(sub);
    return { close: () => this.subscribers.delete(sub) };
  }

  public get subscriberCount(): number {
    return this.subscribers.size;
  }

  private at(i: number): E {
    return this.ring[(this.start + i) % this.capacity] as E;
  }

  /** Binary search: index of the first retained event with seq > fromSeq. */
  private firstIndexAfter(fromSeq: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).seq <= fromSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
