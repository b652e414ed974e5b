import { agentOp } from '@voltha/adapters';
import { AdminState_AdminState as AdminState, Device, Port, ProxyAddress } from '@voltha/proto';

import { hotNodesOf, independentRuns } from './core-gateway';

const child = (channelId: number) =>
  agentOp.childDeviceDetected({
    parentDeviceId: 'olt',
    parentPortNo: 1,
    childDeviceType: 'onu',
    proxyAddress: ProxyAddress.fromPartial({ deviceId: 'olt', channelId }),
    adminState: AdminState.ENABLED
  });
const update = (id: string) => agentOp.updateChildDevice('olt', Device.fromPartial({ id }));

describe('transaction planning', () => {
  it('applies consecutive child detections and updates of distinct children together, the rest one by one', () => {
    const ops = [
      agentOp.updateDeviceState('olt', {}),
      child(1),
      child(2),
      child(3),
      update('a'),
      update('b'),
      update('a'),
      agentOp.deleteLogicalDevice('ld'),
      child(4)
    ];
    expect(independentRuns(ops).map((run) => run.length)).toEqual([1, 3, 2, 1, 1, 1]);
    expect(independentRuns(ops).flat()).toEqual(ops);
  });

  it('names the peer ports that addPort writes, sorted, once', () => {
    const port = (peers: { deviceId: string; portNo: number }[]) => Port.fromPartial({ portNo: 1, peers });
    expect(
      hotNodesOf([
        agentOp.addPort('onu1', port([{ deviceId: 'olt', portNo: 2 }])),
        agentOp.addPort(
          'onu2',
          port([
            { deviceId: 'olt', portNo: 1 },
            { deviceId: 'olt', portNo: 2 }
          ])
        ),
        agentOp.updateDeviceState('olt', {})
      ])
    ).toEqual(['olt/1', 'olt/2']);
    expect(hotNodesOf([agentOp.addPort('olt', port([]))])).toEqual([]);
  });
});
