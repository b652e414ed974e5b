import { status } from '@grpc/grpc-js';

import { Adapter, AdapterConfig, fromAny, HealthStatus, toWireAny } from '@voltha/proto';
import type { AnyLike } from '@voltha/proto';

import { CoreConfigFixture } from './support/core-config-fixture';

jest.setTimeout(60_000);

interface Mutation {
  rootHash: string;
  seq: string;
}

describe('ConfigService end to end', () => {
  const core = new CoreConfigFixture(['--backend', 'none']);
  beforeAll(() => core.start());
  afterAll(() => core.dispose());

  const adapter = (id: string, version: string) =>
    toWireAny(
      Adapter.fromPartial({ id, vendor: 'v', version, config: AdapterConfig.fromPartial({ logLevel: 1 }) })
    );

  it('should get, add, update and remove by path, with depth and typed data', async () => {
    const added = await core.config.call<Mutation>('Add', { path: '/adapters', data: adapter('a1', '1') });
    expect(Number(added.seq)).toBeGreaterThan(0);
    await core.config.call('Update', { path: '/adapters/a1', data: adapter('a1', '2') });
    const one = await core.config.call<{ isList: boolean; data: AnyLike }>('Get', { path: '/adapters/a1' });
    expect(one.isList).toBe(false);
    expect(fromAny<Adapter>(one.data)).toMatchObject({ id: 'a1', version: '2' });
    const list = await core.config.call<{ isList: boolean; items: AnyLike[] }>('Get', { path: '/adapters' });
    expect(list.isList).toBe(true);
    expect(list.items.map((i) => fromAny<Adapter>(i).id)).toEqual(['a1']);
    const shallow = await core.config.call<{ data: AnyLike }>('Get', { path: '/' });
    expect(fromAny<{ adapters: unknown[]; $type: string }>(shallow.data).adapters).toEqual([]);
    const deep = await core.config.call<{ data: AnyLike }>('Get', { path: '/', depth: -1 });
    expect(fromAny<{ adapters: unknown[]; $type: string }>(deep.data).adapters).toHaveLength(1);
    const viaHeader = await core.config.call<{ data: AnyLike }>('Get', { path: '/' }, { 'get-depth': '1' });
    expect(fromAny<{ adapters: unknown[]; $type: string }>(viaHeader.data).adapters).toHaveLength(1);
    await core.config.call('Remove', { path: '/adapters/a1' });
    await expect(core.config.call('Get', { path: '/adapters/a1' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
  });

  it('should map bad input and unknown paths to INVALID_ARGUMENT and NOT_FOUND', async () => {
    await expect(core.config.call('Get', { path: '/nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
    await expect(core.config.call('Update', { path: '/health' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
    await expect(
      core.config.call('Update', { path: '/health', data: adapter('x', '1') })
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
    await expect(
      core.config.call('Update', {
        path: '/health',
        data: { type_url: 'type.googleapis.com/voltha.Nope', value: Buffer.alloc(0) }
      })
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await core.config.call('Add', { path: '/adapters', data: adapter('dup', '1') });
    await expect(
      core.config.call('Add', { path: '/adapters', data: adapter('dup', '1') })
    ).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
    await expect(
      core.config.call('Update', {
        path: '/health',
        data: toWireAny(HealthStatus.fromPartial({ state: 2 })),
        strict: true
      })
    ).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('should isolate transactions, commit them, cancel them, and abort conflicting ones', async () => {
    await core.config.call('Add', { path: '/adapters', data: adapter('t1', '1') });
    const tx1 = await core.config.call<{ txid: string }>('OpenTransaction', {});
    const tx2 = await core.config.call<{ txid: string }>('OpenTransaction', {});
    await core.config.call('Update', { path: '/adapters/t1', data: adapter('t1', 'tx1'), txid: tx1.txid });
    await core.config.call(
      'Update',
      { path: '/adapters/t1', data: adapter('t1', 'tx2') },
      { 'transaction-id': tx2.txid }
    );
    const outside = await core.config.call<{ data: AnyLike }>('Get', { path: '/adapters/t1' });
    expect(fromAny<Adapter>(outside.data).version).toBe('1');
    const inside = await core.config.call<{ data: AnyLike }>('Get', { path: '/adapters/t1', txid: tx1.txid });
    expect(fromAny<Adapter>(inside.data).version).toBe('tx1');
    await core.config.call('CommitTransaction', { txid: tx1.txid });
    await expect(core.config.call('CommitTransaction', { txid: tx2.txid })).rejects.toMatchObject({
      code: status.ABORTED
    });
    const tx3 = await core.config.call<{ txid: string }>('OpenTransaction', {});
    await core.config.call('Add', { path: '/adapters', data: adapter('gone', '1'), txid: tx3.txid });
    await core.config.call('CancelTransaction', { txid: tx3.txid });
    await expect(core.config.call('Get', { path: '/adapters/gone' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
    await expect(core.config.call('CommitTransaction', { txid: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
  });

  it('should tag revisions, list them and diff them', async () => {
    await core.config.call('CreateTag', { name: 'before' });
    await core.config.call('Update', {
      path: '/health',
      data: toWireAny(HealthStatus.fromPartial({ state: 1 }))
    });
    await core.config.call('CreateTag', { name: 'after' });
    const tags = await core.config.call<{ items: Array<{ name: string; hash: string }> }>('ListTags', {});
    expect(tags.items.map((t) => t.name)).toEqual(['after', 'before']);
    const revs = await core.config.call<{ items: Array<{ hash: string }> }>('ListRevisions', {});
    expect(revs.items.at(-1)?.hash).toBe(tags.items[0].hash);
    const diff = await core.config.call<{ operations: Array<{ op: string; path: string; value: string }> }>(
      'Diff',
      {
        tag1: 'before',
        tag2: 'after',
        path: '/health'
      }
    );
    expect(diff.operations).toEqual([{ op: 'replace', path: '/state', value: '"OVERLOADED"' }]);
    await core.config.call('DeleteTag', { name: 'before' });
    await expect(core.config.call('Diff', { tag1: 'before' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
  });

  it('should resume a watch from a sequence number without gaps or duplicates', async () => {
    const first = await core.config.call<Mutation>('Add', { path: '/adapters', data: adapter('w1', '1') });
    await core.config.call('Add', { path: '/adapters', data: adapter('w2', '1') });
    await core.config.call('Add', { path: '/adapters', data: adapter('w3', '1') });
    const seen: Array<{ seq: string; path: string }> = [];
    const stream = core.config.stream('Watch', { pathPrefix: '/adapters/w', fromSeq: first.seq });
    stream.on('data', (e: { seq: string; path: string }) => seen.push(e));
    stream.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await core.config.call('Add', { path: '/adapters', data: adapter('w4', '1') });
    await new Promise((r) => setTimeout(r, 300));
    stream.cancel();
    expect(seen.map((e) => e.path)).toEqual(['/adapters/w2', '/adapters/w3', '/adapters/w4']);
    const seqs = seen.map((e) => Number(e.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
