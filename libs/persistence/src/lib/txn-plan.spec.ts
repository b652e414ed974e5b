import type { KvCheck } from '@voltha/kv';

import { planDeletes, planTransactions } from './txn-plan';

const blobs = (n: number, size = 10) =>
  new Map(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(4, '0')}`, new Uint8Array(size)]));
const check: KvCheck = { type: 'version', key: 'root', version: '7' };

describe('planTransactions', () => {
  it('should write blobs and root in one transaction when they fit', () => {
    const plan = planTransactions({
      puts: blobs(5),
      root: { key: 'root', value: new Uint8Array(3) },
      deletes: ['d1', 'd2'],
      rootChecks: [check],
      fenced: true,
      limits: { maxTxnOps: 64, maxTxnBytes: 512 * 1024 }
    });
    expect(plan.txns).toHaveLength(1);
    expect(plan.txns[0].writesRoot).toBe(true);
    expect(plan.txns[0].ops.map((o) => o.key)).toEqual([
      'k0000',
      'k0001',
      'k0002',
      'k0003',
      'k0004',
      'root',
      'd1',
      'd2'
    ]);
    expect(plan.leftoverDeletes).toEqual([]);
  });

  it('should split at the operation limit (Consul 64) with the root last, counting checks and fence', () => {
    const plan = planTransactions({
      puts: blobs(200),
      root: { key: 'root', value: new Uint8Array(3) },
      deletes: Array.from({ length: 100 }, (_, i) => `d${i}`),
      rootChecks: [check],
      fenced: true,
      limits: { maxTxnOps: 64, maxTxnBytes: 10_000_000 }
    });
    for (const t of plan.txns) expect(t.ops.length + (t.writesRoot ? 1 : 0) + 1).toBeLessThanOrEqual(64);
    expect(plan.txns.filter((t) => t.writesRoot)).toHaveLength(1);
    const last = plan.txns[plan.txns.length - 1];
    expect(last.writesRoot).toBe(true);
    const allPuts = plan.txns.flatMap((t) =>
      t.ops.filter((o) => o.type === 'put' && o.key !== 'root').map((o) => o.key)
    );
    expect(allPuts).toHaveLength(200);
    const rootIndex = last.ops.findIndex((o) => o.key === 'root');
    expect(last.ops.slice(rootIndex + 1).every((o) => o.type === 'delete')).toBe(true);
    const inRootTxn = last.ops.filter((o) => o.type === 'delete').length;
    expect(inRootTxn + plan.leftoverDeletes.length).toBe(100);
  });

  it('should split by bytes (Consul request size)', () => {
    const plan = planTransactions({
      puts: blobs(10, 100_000),
      root: { key: 'root', value: new Uint8Array(3) },
      deletes: [],
      rootChecks: [],
      fenced: false,
      limits: { maxTxnOps: 64, maxTxnBytes: 512 * 1024 }
    });
    expect(plan.txns.length).toBeGreaterThanOrEqual(3);
    expect(plan.txns.at(-1)?.writesRoot).toBe(true);
  });

  it('should split deletes into backend-sized transactions', () => {
    expect(planDeletes(['a', 'b', 'c', 'd', 'e'], 2).map((t) => t.map((o) => o.key))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e']
    ]);
  });
});
