import { CommitPipeline } from './commit-pipeline';

interface Held {
  resolve(): void;
  reject(e: Error): void;
}

/** A pipeline over string entries that records the hooks and holds every store call until released. */
function setup() {
  const log: string[] = [];
  const warnings: string[] = [];
  const held: Held[] = [];
  const pipeline = new CommitPipeline<string>({
    durable: (e) => log.push(`durable ${e}`),
    failed: (es, error) => {
      log.push(`failed ${es.join(',')}: ${(error as Error).message}`);
      return new Error(`mapped ${(error as Error).message}`);
    },
    warn: (event) => warnings.push(event)
  });
  const store = (): Promise<void> => new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
  return { log, warnings, held, pipeline, store };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('CommitPipeline', () => {
  it('processes entries in submission order whatever order the store settles them in', async () => {
    const { log, held, pipeline, store } = setup();
    const order: string[] = [];
    const ps = ['a', 'b', 'c'].map((e) => pipeline.submit(e, store).then(() => order.push(e)));
    expect(pipeline.size).toBe(3);
    expect(pipeline.storeCallsInFlight).toBe(3);
    held[2].resolve();
    held[1].resolve();
    await flush();
    expect(log).toEqual([]);
    held[0].resolve();
    await Promise.all(ps);
    expect(log).toEqual(['durable a', 'durable b', 'durable c']);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(pipeline.size).toBe(0);
    await pipeline.idle();
  });

  it('an entry without a store call waits for the entries before it', async () => {
    const { log, held, pipeline, store } = setup();
    const a = pipeline.submit('a', store);
    const marker = pipeline.submit('marker');
    expect(pipeline.tail()).toBe(marker);
    await flush();
    expect(log).toEqual([]);
    held[0].resolve();
    await Promise.all([a, marker]);
    expect(log).toEqual(['durable a', 'durable marker']);
    // alone, it is durable at once
    await pipeline.submit('alone');
    expect(log[2]).toBe('durable alone');
    expect(pipeline.tail()).toBeUndefined();
  });

  it('a rejection fails that entry and every later one together, with the mapped error', async () => {
    const { log, held, pipeline, store } = setup();
    const results = ['a', 'b', 'c', 'd'].map((e) =>
      pipeline.submit(e, store).then(
        () => `${e} ok`,
        (err: Error) => `${e} ${err.message}`
      )
    );
    held[0].resolve();
    held[1].reject(new Error('down'));
    held[2].reject(new Error('down too'));
    // d is still running in the store: the pipeline stays blocked until it settled
    await flush();
    expect(await Promise.all(results)).toEqual(['a ok', 'b mapped down', 'c mapped down', 'd mapped down']);
    expect(log).toEqual(['durable a', 'failed b,c,d: down']);
    expect(pipeline.size).toBe(0);
    expect(pipeline.blocked()).toBeDefined();
    expect(pipeline.storeCallsInFlight).toBe(1);
    let idle = false;
    void pipeline.idle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    held[3].reject(new Error('down'));
    await flush();
    expect(pipeline.blocked()).toBeUndefined();
    expect(idle).toBe(true);
  });

  it('is blocked from the moment a rejection is seen until the older entries settled', async () => {
    const { log, held, pipeline, store } = setup();
    const a = pipeline.submit('a', store);
    const b = pipeline.submit('b', store).catch((e: Error) => e.message);
    held[1].reject(new Error('queue full'));
    await flush();
    const barrier = pipeline.blocked();
    expect(barrier).toBeDefined();
    expect(log).toEqual([]);
    held[0].resolve();
    await a;
    expect(await b).toBe('mapped queue full');
    await barrier;
    expect(pipeline.blocked()).toBeUndefined();
    expect(log).toEqual(['durable a', 'failed b: queue full']);
    // later entries work normally
    const c = pipeline.submit('c', store);
    held[2].resolve();
    await c;
    expect(log[2]).toBe('durable c');
  });

  it('a store call that throws synchronously counts as a rejection', async () => {
    const { log, pipeline } = setup();
    await expect(
      pipeline.submit('x', () => {
        throw new Error('sync');
      })
    ).rejects.toThrow('mapped sync');
    expect(log).toEqual(['failed x: sync']);
    await pipeline.idle();
  });

  it('warns when a store applies a batch after rejecting an earlier one', async () => {
    const { warnings, held, pipeline, store } = setup();
    const a = pipeline.submit('a', store).catch(() => undefined);
    const b = pipeline.submit('b', store).catch(() => undefined);
    held[0].reject(new Error('down'));
    await a;
    held[1].resolve();
    await b;
    await flush();
    expect(warnings).toEqual(['store-contract-violation']);
    await pipeline.idle();
  });
});
