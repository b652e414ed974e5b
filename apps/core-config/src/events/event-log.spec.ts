import { EventLog, EventsNotRetainedError } from './event-log';

const ev = (seq: number, path = '/devices/d1') => ({ seq, path });

describe('EventLog', () => {
  it('should replay retained events after a seq, then stream live ones, without gap or duplicate', () => {
    const log = new EventLog(100);
    log.append([ev(1), ev(2), ev(2, '/adapters/a'), ev(3)]);
    const got: string[] = [];
    log.subscribe('', 1, (e) => {
      got.push(`${e.seq}${e.path}`);
      return true;
    });
    log.append([ev(4)]);
    expect(got).toEqual(['2/devices/d1', '2/adapters/a', '3/devices/d1', '4/devices/d1']);
  });

  it('should filter by path prefix', () => {
    const log = new EventLog(10);
    const got: number[] = [];
    log.subscribe('/adapters', undefined, (e) => {
      got.push(e.seq);
      return true;
    });
    log.append([ev(1), ev(2, '/adapters/x'), ev(3, '/devices/d2')]);
    expect(got).toEqual([2]);
  });

  it('should refuse to resume from a seq whose successors fell off the ring', () => {
    const log = new EventLog(3);
    log.append([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    expect(log.oldestResumableSeq).toBe(2);
    expect(() => log.subscribe('', 1, () => true)).toThrow(EventsNotRetainedError);
    expect(() => log.subscribe('', 1, () => true)).toThrow('the oldest retained is seq 3');
    const got: number[] = [];
    log.subscribe('', 2, (e) => {
      got.push(e.seq);
      return true;
    });
    expect(got).toEqual([3, 4, 5]);
  });

  it('should drop a subscriber whose deliver returns false', () => {
    const log = new EventLog(10);
    let n = 0;
    log.subscribe('', undefined, () => ++n < 2);
    log.append([ev(1), ev(2), ev(3)]);
    expect(n).toBe(2);
    expect(log.subscriberCount).toBe(0);
  });

  it('should start after a given seq when restarted from persisted state', () => {
    const log = new EventLog(10, 41);
    expect(log.latestSeq).toBe(41);
    expect(() => log.append([ev(40)])).toThrow('older than 41');
    expect(() => log.subscribe('', 41, () => true)).not.toThrow();
  });
});
