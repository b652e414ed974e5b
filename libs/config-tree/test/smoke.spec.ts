import { Adapter, AdapterConfig, HealthStatus, VolthaInstance } from '@voltha/proto';

import { ConfigRoot } from '../src';

describe('smoke', () => {
  it('works', async () => {
    const root = await ConfigRoot.create(
      VolthaInstance.fromPartial({
        instanceId: '1',
        health: { state: 2 },
        adapters: ['0', '1', '2', '3', '4'].map((id) => Adapter.fromPartial({ id, config: AdapterConfig.fromPartial({ logLevel: 3 }) }))
      }),
      {}
    );
    const deep = await root.get('/', { deep: true });
    expect((deep as VolthaInstance).adapters).toHaveLength(5);
    expect(await root.get('/health')).toEqual(HealthStatus.fromPartial({ state: 2 }));
    await root.update('/adapters/1', Adapter.fromPartial({ id: '1', version: 'x' }));
    expect(((await root.get('/adapters/1')) as Adapter).version).toBe('x');
    expect(root.revisions).toHaveLength(2);
  });
});
