import { SerialExecutor } from './serial-executor';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('SerialExecutor', () => {
  it('runs top-level tasks one at a time in FIFO order', async () => {
    const ex = new SerialExecutor();
    const log: string[] = [];
    let active = 0;
    const task = (name: string, ms: number) => async (): Promise<string> => {
      active++;
      expect(active).toBe(1);
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      active--;
      return name;
    };
    const results = await Promise.all([ex.run(task('a', 5)), ex.run(task('b', 1)), ex.run(task('c', 0))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(ex.pending).toBe(0);
  });

  it('runs nested tasks inside the running task and waits for un-awaited ones', async () => {
    const ex = new SerialExecutor();
    const log: string[] = [];
    await ex.run(async () => {
      expect(ex.inTask).toBe(true);
      await ex.exclusive(async () => void log.push('mutation'));
      const nested = await ex.run(async () => {
        log.push('nested');
        return 42;
      });
      expect(nested).toBe(42);
      void ex.run(async () => {
        await tick(3);
        log.push('fire-and-forget');
      });
    });
    expect(log).toEqual(['mutation', 'nested', 'fire-and-forget']);
    expect(ex.inTask).toBe(false);
  });

  it('keeps running after a task fails', async () => {
    const ex = new SerialExecutor();
    await expect(ex.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(ex.run(async () => 1)).resolves.toBe(1);
  });

  it('serialises the mutation phase with nested tasks started earlier', async () => {
    const ex = new SerialExecutor();
    const log: string[] = [];
    await ex.run(async () => {
      void ex.run(async () => {
        await tick(3);
        log.push('nested from pre');
      });
      await ex.exclusive(async () => void log.push('mutation'));
    });
    expect(log).toEqual(['nested from pre', 'mutation']);
  });
});

describe('SerialExecutor.collect', () => {
  it('returns undefined when nothing was started', () => {
    const ex = new SerialExecutor();
    expect(ex.collect(() => undefined)).toBeUndefined();
  });

  it('tasks started from collected work are top-level tasks and are waited for', async () => {
    const ex = new SerialExecutor();
    const log: string[] = [];
    let release!: () => void;
    const blocker = ex.run(() => new Promise<void>((r) => (release = r)));
    const collected = ex.collect(() => {
      expect(ex.inTask).toBe(false);
      void ex.run(async () => {
        expect(ex.nested).toBe(false);
        log.push('from collected work');
      });
      // started later, asynchronously, while the collector is still open
      setTimeout(() => void ex.run(async () => void log.push('later')), 2);
    });
    expect(collected).toBeDefined();
    let done = false;
    void collected?.then(() => (done = true));
    await tick(5);
    // queued behind the running top-level task, not nested in anything
    expect(log).toEqual([]);
    expect(done).toBe(false);
    release();
    await blocker;
    await collected;
    expect(log).toEqual(['from collected work', 'later']);
  });

  it('a failing collected task does not reject the collector', async () => {
    const ex = new SerialExecutor();
    let failed: Promise<unknown> | undefined;
    const collected = ex.collect(() => {
      failed = ex.run(async () => Promise.reject(new Error('x')));
      failed.catch(() => undefined);
    });
    await expect(collected).resolves.toBeUndefined();
    await expect(failed).rejects.toThrow('x');
  });

  it('nested reports tasks started from another task', async () => {
    const ex = new SerialExecutor();
    const seen: boolean[] = [];
    await ex.run(async () => {
      seen.push(ex.nested);
      await ex.run(async () => void seen.push(ex.nested));
    });
    expect(seen).toEqual([false, true]);
  });
});
