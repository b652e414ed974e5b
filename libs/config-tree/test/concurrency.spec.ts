import { Adapter, HealthStatus, VolthaInstance } from '@voltha/proto';

import { CallbackType, ConfigRoot, InMemoryTreeStore, TreeStoreBatch } from '../src';
import {
  adapter,
  adapterIds,
  deferred,
  DYING,
  health,
  HEALTHY,
  OVERLOADED,
  rootD,
  tick
} from './support/fixtures';

/** A store whose commits take a while and that records how many run at once. */
class SlowStore extends InMemoryTreeStore {
  inFlight = 0;
  maxInFlight = 0;
  override async commit(batch: TreeStoreBatch): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await tick(1);
    try {
      await super.commit(batch);
    } finally {
      this.inFlight--;
    }
  }
}

describe('serial executor: concurrent callers', () => {
  it('runs concurrent mutations one at a time, in call order, losing nothing', async () => {
    const store = new SlowStore();
    const root = await ConfigRoot.create(VolthaInstance.fromPartial({}), { store });
    let active = 0;
    let maxActive = 0;
    const proxy = root.getProxy('/');
    proxy.registerCallback(CallbackType.PRE_ADD, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await tick(Math.random() * 2);
    });
    proxy.registerCallback(CallbackType.POST_ADD, async () => {
      await tick(Math.random() * 2);
      active--;
    });
    const ids = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const results = await Promise.all(ids.map((id) => root.add('/adapters', adapter(id))));
    expect(maxActive).toBe(1);
    expect(store.maxInFlight).toBe(1);
    expect(await adapterIds(root)).toEqual(ids);
    expect(results.map((r) => r.seq)).toEqual(ids.map((_, i) => i + 1));
    expect(root.seq).toBe(40);
  });

  it('reads never wait for a running mutation and see only committed state', async () => {
    const store = new SlowStore();
    const root = await ConfigRoot.create(VolthaInstance.fromPartial({ health: health(DYING) }), { store });
    const gate = deferred();
    root.getProxy('/health').registerCallback(CallbackType.PRE_UPDATE, () => gate.promise);
    const pending = root.update('/health', health(HEALTHY));
    await tick(1);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(DYING);
    gate.resolve();
    await pending;
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
  });
});

describe('async callbacks', () => {
  it('an async PRE_UPDATE can veto; async POST callbacks finish before the mutation resolves', async () => {
    const root = await rootD();
    const proxy = root.getProxy('/adapters/1');
    proxy.registerCallback(CallbackType.PRE_UPDATE, async (a: Adapter) => {
      await tick(1);
      if (a.version === 'forbidden') throw new Error('vetoed');
    });
    let postDone = false;
    proxy.registerCallback(CallbackType.POST_UPDATE, async () => {
      await tick(5);
      postDone = true;
    });
    const h = root.latestHash;
    await expect(
      root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'forbidden' }))
    ).rejects.toThrow('vetoed');
    expect(root.latestHash).toBe(h);
    expect(postDone).toBe(false);
    await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'ok' }));
    expect(postDone).toBe(true);
  });

  it('async GET callbacks are awaited and chained', async () => {
    const root = await rootD();
    const proxy = root.getProxy('/health');
    proxy.registerCallback(CallbackType.GET, async (h: HealthStatus) => {
      await tick(1);
      return { ...h, state: OVERLOADED };
    });
    proxy.registerCallback(CallbackType.GET, async (h: HealthStatus) =>
      h.state === OVERLOADED ? health(HEALTHY) : h
    );
    expect(((await proxy.get()) as HealthStatus).state).toBe(HEALTHY);
  });
});

describe('re-entrant writes from callbacks', () => {
  let root: ConfigRoot;
  beforeEach(async () => {
    root = await rootD();
  });

  it('an awaited nested write is applied before the outer call returns; the outer result is its own commit', async () => {
    const seqs: number[] = [];
    root.subscribe((e) => seqs.push(e.seq));
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      const r = await root.update('/health', health(OVERLOADED));
      expect(r.seq).toBe(2);
    });
    const res = await root.add('/adapters', adapter('x'));
    expect(res.seq).toBe(1);
    expect(root.seq).toBe(2);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(seqs).toEqual([1, 2]);
  });

  it('nested writes several levels deep, awaited or not, all complete before the outer call returns', async () => {
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, (a: Adapter) => {
      void root.update('/health', health(OVERLOADED));
      void root.update(`/adapters/${a.id}`, Adapter.fromPartial({ ...a, vendor: 'level1' }));
    });
    root.getProxy('/health').registerCallback(CallbackType.POST_UPDATE, async () => {
      await root.add('/adapters', adapter('from-health'));
    });
    await root.add('/adapters', adapter('x'));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
    expect(((await root.get('/adapters/x')) as Adapter).vendor).toBe('level1');
    // 'from-health' was added by a nested-nested write; its own POST_ADD then ran as well
    expect(((await root.get('/adapters/from-health')) as Adapter).vendor).toBe('level1');
    expect(await adapterIds(root)).toEqual(['0', '1', '2', '3', '4', 'x', 'from-health']);
  });

  it('a PRE callback may await a write; the outer mutation applies on top of it', async () => {
    root.getProxy('/').registerCallback(CallbackType.PRE_ADD, async () => {
      await root.update('/health', health(HEALTHY));
    });
    await root.add('/adapters', adapter('y'));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
    expect(await adapterIds(root)).toContain('y');
    expect(root.seq).toBe(2);
  });

  it('an event subscriber may start writes; they are applied before the outer call returns', async () => {
    let once = true;
    root.subscribe((e) => {
      if (once && e.type === 'add') {
        once = false;
        void root.update('/health', health(OVERLOADED));
      }
    });
    await root.add('/adapters', adapter('z'));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(OVERLOADED);
  });

  it('a top-level caller arriving during a callback waits for the whole outer mutation', async () => {
    const order: string[] = [];
    const inCallback = deferred();
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      inCallback.resolve();
      await tick(5);
      await root.update('/health', health(OVERLOADED));
      order.push('outer-callback-done');
    });
    const outer = root.add('/adapters', adapter('o')).then(() => order.push('outer-resolved'));
    await inCallback.promise;
    // started outside any callback: queued behind the outer mutation
    const later = setImmediatePromise().then(() =>
      root.update('/health', health(HEALTHY)).then(() => order.push('top-level-resolved'))
    );
    await Promise.all([outer, later]);
    expect(order).toEqual(['outer-callback-done', 'outer-resolved', 'top-level-resolved']);
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
  });

  it('a write scheduled by a callback after its mutation finished goes to the top-level queue', async () => {
    const gate = deferred();
    const done = deferred();
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, () => {
      // runs later, still in the async context of this callback, after its mutation has finished
      void gate.promise.then(() => root.update('/health', health(HEALTHY))).then(() => done.resolve());
    });
    await root.add('/adapters', adapter('t'));
    expect(((await root.get('/health')) as HealthStatus).state).toBe(DYING);
    gate.resolve();
    await done.promise;
    expect(((await root.get('/health')) as HealthStatus).state).toBe(HEALTHY);
  });

  it('a failing nested write fails loudly to its caller and leaves the outer change in place', async () => {
    const errors: unknown[] = [];
    root.getProxy('/').registerCallback(CallbackType.POST_ADD, async () => {
      try {
        await root.update('/adapters/nope', adapter('nope'));
      } catch (e) {
        errors.push(e);
      }
    });
    await root.add('/adapters', adapter('w'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'KeyError' });
    expect(await adapterIds(root)).toContain('w');
  });
});

function setImmediatePromise(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
