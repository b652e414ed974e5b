import { VirtualScheduler } from '../testing/virtual-scheduler';
import { CancelledError, SerialQueue, SystemScheduler, TaskGroup } from './scheduler';

describe('TaskGroup', () => {
  it('sleeps on scheduler time and runs periodic jobs at each period', async () => {
    const scheduler = new VirtualScheduler(0);
    const errors: unknown[] = [];
    const tasks = new TaskGroup(scheduler, (e) => errors.push(e));
    const ticks: number[] = [];
    tasks.every(
      () => 1000,
      async () => void ticks.push(scheduler.now())
    );
    await scheduler.advance(3500);
    expect(ticks).toEqual([1000, 2000, 3000]);
    tasks.cancel();
    await scheduler.advance(5000);
    expect(ticks).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it('cancels pending sleeps and races; cancellation is not reported as an error', async () => {
    const scheduler = new VirtualScheduler(0);
    const errors: unknown[] = [];
    const tasks = new TaskGroup(scheduler, (e) => errors.push(e));
    const steps: string[] = [];
    void tasks.spawn(async () => {
      steps.push('start');
      await tasks.sleep(100);
      steps.push('never');
    });
    const raced = tasks.race(new Promise<void>(() => undefined));
    await scheduler.settle();
    expect(tasks.size).toBe(1);
    tasks.cancel();
    await expect(raced).rejects.toBeInstanceOf(CancelledError);
    await scheduler.advance(1000);
    expect(steps).toEqual(['start']);
    expect(errors).toEqual([]);
    expect(tasks.size).toBe(0);
    expect(() => tasks.check()).toThrow(CancelledError);
  });

  it('reports failures of spawned tasks and keeps a periodic job running after one fails', async () => {
    const scheduler = new VirtualScheduler(0);
    const errors: unknown[] = [];
    const tasks = new TaskGroup(scheduler, (e) => errors.push(e));
    let n = 0;
    tasks.every(
      () => 10,
      async () => {
        n++;
        if (n === 1) throw new Error('first run fails');
      }
    );
    await tasks.spawn(async () => {
      throw new Error('spawned');
    });
    await scheduler.advance(30);
    expect(n).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['spawned', 'first run fails']);
  });

  it('stops a periodic job whose interval becomes 0', async () => {
    const scheduler = new VirtualScheduler(0);
    const tasks = new TaskGroup(scheduler, () => undefined);
    let interval = 10;
    let n = 0;
    tasks.every(
      () => interval,
      async () => {
        n++;
        interval = 0;
      }
    );
    await scheduler.advance(100);
    expect(n).toBe(1);
    expect(scheduler.pendingTimers).toBe(0);
  });
});

describe('SerialQueue', () => {
  it('runs jobs one at a time in order, whatever their outcome', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const a = queue.run(async () => {
      log.push('a');
      await Promise.resolve();
      throw new Error('a failed');
    });
    const b = queue.run(async () => {
      log.push('b');
      return 2;
    });
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe(2);
    expect(log).toEqual(['a', 'b']);
  });
});

describe('SystemScheduler', () => {
  it('fires zero and positive delays and can cancel', async () => {
    const scheduler = new SystemScheduler({ unref: true });
    const fired: string[] = [];
    await new Promise<void>((resolve) => {
      scheduler.setTimer(0, () => fired.push('zero'));
      scheduler.setTimer(5, () => fired.push('cancelled')).cancel();
      scheduler.setTimer(10, () => {
        fired.push('ten');
        resolve();
      });
    });
    expect(fired).toEqual(['zero', 'ten']);
    expect(Math.abs(scheduler.now() - Date.now())).toBeLessThan(1000);
  });
});

describe('VirtualScheduler', () => {
  it('fires timers in time then creation order and never before their time', async () => {
    const scheduler = new VirtualScheduler(1000);
    const fired: string[] = [];
    scheduler.setTimer(20, () => fired.push('b@20'));
    scheduler.setTimer(10, () => fired.push('a@10'));
    scheduler.setTimer(20, () => fired.push('c@20'));
    scheduler.setTimer(0, () => scheduler.setTimer(0, () => fired.push('nested@0')));
    await scheduler.settle();
    expect(fired).toEqual(['nested@0']);
    await scheduler.advance(15);
    expect(fired).toEqual(['nested@0', 'a@10']);
    expect(scheduler.now()).toBe(1015);
    await scheduler.advance(5);
    expect(fired).toEqual(['nested@0', 'a@10', 'b@20', 'c@20']);
  });
});
