import {
  Device,
  DeviceType,
  FlowGroups,
  LogicalDevice,
  LogicalPort,
  ofpFlowStats,
  ProxyAddress
} from '@voltha/proto';

import { classifyPath, TreeIndex } from './tree-index';

const onu = (id: string, channelId: number, parentId = 'olt') =>
  Device.fromPartial({
    id,
    type: 'simulated_onu',
    parentId,
    proxyAddress: ProxyAddress.fromPartial({ deviceId: parentId, channelId }),
    ports: [{ portNo: 1 }]
  });
const lport = (id: string, portNo: number, deviceId: string) =>
  LogicalPort.fromPartial({ id, deviceId, ofpPort: { portNo } });

describe('classifyPath', () => {
  it.each([
    ['/devices/d1', { kind: 'device', deviceId: 'd1' }],
    ['/devices/d1/flows/items/123', { kind: 'flow', deviceId: 'd1', flowId: '123' }],
    ['/devices/d1/flow_groups', { kind: 'flow-groups', deviceId: 'd1' }],
    ['/devices/d1/pm_configs', { kind: 'pm-configs', deviceId: 'd1' }],
    ['/logical_devices/l1', { kind: 'logical-device', logicalDeviceId: 'l1' }],
    ['/logical_devices/l1/ports/nni', { kind: 'logical-port', logicalDeviceId: 'l1', portId: 'nni' }],
    ['/device_types/t', { kind: 'device-type', typeId: 't' }],
    ['/devices/d1/ports/1', { kind: 'other' }],
    ['/logical_devices/l1/flows/items/1', { kind: 'other' }],
    ['/adapters/a', { kind: 'other' }]
  ])('%s', (path, expected) => {
    expect(classifyPath(path)).toEqual(expected);
  });
});

describe('TreeIndex', () => {
  it('indexes children by parent and by proxy address from a snapshot and from events', () => {
    const index = new TreeIndex();
    index.load({
      devices: [Device.fromPartial({ id: 'olt', root: true, parentId: 'ld1' }), onu('o1', 101)],
      logicalDevices: [],
      deviceTypes: [DeviceType.fromPartial({ id: 'simulated_onu', adapter: 'simulated_onu' })],
      seq: 7
    });
    expect(index.seq).toBe(7);
    // a root device's parent_id is its logical device: not a parent
    expect(index.childIds('ld1')).toEqual([]);
    expect(index.childIds('olt')).toEqual(['o1']);
    expect(index.device('o1')?.ports).toEqual([]); // kept at depth 0
    expect(index.deviceType('simulated_onu')?.adapter).toBe('simulated_onu');

    const r = index.apply('add', classifyPath('/devices/o2'), onu('o2', 102));
    expect(r?.before).toBeUndefined();
    expect(
      index
        .childDevices('olt')
        .map((d) => d.id)
        .sort()
    ).toEqual(['o1', 'o2']);
    expect(index.deviceIdByProxy(ProxyAddress.fromPartial({ deviceId: 'olt', channelId: 102 }))).toBe('o2');

    // moved to another proxy address / parent
    const moved = index.apply('update', classifyPath('/devices/o2'), onu('o2', 201, 'olt2'));
    expect(moved?.before?.parentId).toBe('olt');
    expect(index.childIds('olt')).toEqual(['o1']);
    expect(index.childIds('olt2')).toEqual(['o2']);
    expect(
      index.deviceIdByProxy(ProxyAddress.fromPartial({ deviceId: 'olt', channelId: 102 }))
    ).toBeUndefined();

    index.apply('remove', classifyPath('/devices/o1'), Device.fromPartial({ id: 'o1' }));
    expect(index.childIds('olt')).toEqual([]);
    expect(index.hasDevice('o1')).toBe(false);
  });

  it('keeps device flow and group tables from flow item and group events', () => {
    const index = new TreeIndex();
    index.apply('add', classifyPath('/devices/d'), Device.fromPartial({ id: 'd' }));
    index.apply(
      'add',
      classifyPath('/devices/d/flows/items/1'),
      ofpFlowStats.fromPartial({ id: '1', priority: 1 })
    );
    index.apply('add', classifyPath('/devices/d/flows/items/2'), ofpFlowStats.fromPartial({ id: '2' }));
    index.apply(
      'update',
      classifyPath('/devices/d/flows/items/1'),
      ofpFlowStats.fromPartial({ id: '1', priority: 5 })
    );
    index.apply('remove', classifyPath('/devices/d/flows/items/2'), ofpFlowStats.fromPartial({ id: '2' }));
    index.apply(
      'update',
      classifyPath('/devices/d/flow_groups'),
      FlowGroups.fromPartial({ items: [{ desc: { groupId: 3 } }] })
    );
    const tables = index.flowTables('d');
    expect(tables.flows.items.map((f) => [f.id, f.priority])).toEqual([['1', 5]]);
    expect(tables.groups.items.map((g) => g.desc?.groupId)).toEqual([3]);
  });

  it('indexes logical ports by number and by device; a removed logical device takes its ports', () => {
    const index = new TreeIndex();
    index.apply(
      'add',
      classifyPath('/logical_devices/ld'),
      LogicalDevice.fromPartial({ id: 'ld', ports: [lport('nni', 129, 'olt')] })
    );
    index.apply('add', classifyPath('/logical_devices/ld/ports/101'), lport('101', 101, 'o1'));
    expect(index.logicalPortIdByNo('ld', 129)).toBe('nni');
    expect(index.logicalPortIdByNo('ld', 101)).toBe('101');
    expect(index.logicalPortsOf('o1')).toEqual([{ logicalDeviceId: 'ld', portId: '101' }]);

    index.apply('update', classifyPath('/logical_devices/ld/ports/101'), lport('101', 150, 'o1'));
    expect(index.logicalPortIdByNo('ld', 101)).toBeUndefined();
    expect(index.logicalPortIdByNo('ld', 150)).toBe('101');

    index.apply('remove', classifyPath('/logical_devices/ld'), LogicalDevice.fromPartial({ id: 'ld' }));
    expect(index.logicalPortIdByNo('ld', 129)).toBeUndefined();
    expect(index.logicalPortsOf('o1')).toEqual([]);
    expect(index.logicalPortsOf('olt')).toEqual([]);
  });
});
