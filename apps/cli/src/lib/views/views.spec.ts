import {
  applyActions,
  clearActions,
  ethDst,
  flowStats,
  group,
  inPort,
  ipv4Dst,
  OFPP_CONTROLLER,
  output,
  pushMpls,
  setVlanPcp,
  tunnelId,
  udpDst,
  vlanVid,
  writeActions
} from '@voltha/openflow';
import {
  ConfigEvent,
  Device,
  LogicalPort,
  ofpPortConfig,
  ofpPortConfigToJSON,
  ofpPortState,
  ofpPortStateToJSON,
  operStatus_OperStatusToJSON
} from '@voltha/proto';
import type { ofpFlowStats } from '@voltha/proto';

import { flowCells, flowView, ofbFieldText, portName } from './flows';
import {
  deviceAddress,
  deviceView,
  enumName,
  eventLine,
  flagNames,
  hwAddr,
  logicalPortView,
  revisionView,
  timestampText,
  viewForType
} from './objects';

const headers = (flows: ofpFlowStats[]): string[] => flowView(flows).columns.map((c) => c.header);
const row = (flows: ofpFlowStats[], flow: ofpFlowStats): Record<string, string> =>
  Object.fromEntries(flowView(flows).columns.map((c) => [c.header, c.value(flow)]));

describe('flow view', () => {
  it('names reserved ports, with or without the top bit', () => {
    expect(portName(OFPP_CONTROLLER)).toBe('CONTROLLER');
    expect(portName(0xfffffffd)).toBe('CONTROLLER');
    expect(portName(0xffffffff)).toBe('ANY');
    expect(portName(0x7ffffff8)).toBe('IN_PORT');
    expect(portName(65536)).toBe('65536');
  });

  it('prints VLAN ids, masks, addresses and u64 values', () => {
    expect(ofbFieldText(vlanVid(0x1000 | 100))).toBe('100');
    expect(ofbFieldText(vlanVid(0))).toBe('untagged');
    expect(ofbFieldText(vlanVid(0x1000, 0x1000))).toBe('any');
    expect(ofbFieldText(ipv4Dst(0xe0000001, 0xffffff00))).toBe('224.0.0.1/255.255.255.0');
    expect(ofbFieldText(ethDst('01:00:5e:00:00:01'))).toBe('01:00:5e:00:00:01');
    expect(ofbFieldText(tunnelId('18446744073709551615'))).toBe('18446744073709551615');
    expect(ofbFieldText(udpDst(67))).toBe('67');
  });

  it('adds a column per field, action and instruction used, in a fixed order', () => {
    const a = flowStats({
      priority: 10,
      match: [udpDst(67), inPort(5)],
      instructions: [applyActions([setVlanPcp(7), output(OFPP_CONTROLLER), output(7)])]
    });
    const b = flowStats({
      tableId: 3,
      cookie: '18446744073709551615',
      match: [tunnelId(17n), inPort(6)],
      instructions: [writeActions([group(9), pushMpls()]), clearActions()]
    });
    expect(headers([a, b])).toEqual([
      'ID',
      'TABLE',
      'PRIORITY',
      'COOKIE',
      'IN_PORT',
      'UDP_DST',
      'TUNNEL_ID',
      'SET_VLAN_PCP',
      'PUSH_MPLS',
      'OUTPUT',
      'GROUP',
      'CLEAR_ACTIONS'
    ]);
    expect(row([a, b], a)).toMatchObject({
      IN_PORT: '5',
      UDP_DST: '67',
      SET_VLAN_PCP: '7',
      OUTPUT: 'CONTROLLER,7',
      GROUP: ''
    });
    expect(row([a, b], b)).toMatchObject({
      TABLE: '3',
      COOKIE: '18446744073709551615',
      TUNNEL_ID: '17',
      PUSH_MPLS: '0x8847',
      GROUP: '9',
      CLEAR_ACTIONS: 'yes'
    });
    expect(flowCells(a).map((c) => c.header)).toEqual([
      'ID',
      'TABLE',
      'PRIORITY',
      'COOKIE',
      'UDP_DST',
      'IN_PORT',
      'SET_VLAN_PCP',
      'OUTPUT',
      'OUTPUT'
    ]);
    expect(headers([])).toEqual(['ID', 'TABLE', 'PRIORITY', 'COOKIE']);
    expect(flowView([a]).id(a)).toBe(a.id);
  });
});

describe('object views', () => {
  it('names enum values, unknown ones as numbers', () => {
    expect(enumName(operStatus_OperStatusToJSON, 4)).toBe('ACTIVE');
    expect(enumName(operStatus_OperStatusToJSON, 99)).toBe('99');
  });

  it('names flag bits, unknown bits in hex', () => {
    const bits = [ofpPortState.OFPPS_LINK_DOWN, ofpPortState.OFPPS_BLOCKED, ofpPortState.OFPPS_LIVE];
    expect(flagNames(5, bits, ofpPortStateToJSON, 'OFPPS_')).toBe('LINK_DOWN|LIVE');
    expect(flagNames(0, bits, ofpPortStateToJSON, 'OFPPS_')).toBe('');
    expect(flagNames(0x104, bits, ofpPortStateToJSON, 'OFPPS_')).toBe('LIVE|0x100');
    expect(
      flagNames(ofpPortConfig.OFPPC_NO_FWD, [ofpPortConfig.OFPPC_NO_FWD], ofpPortConfigToJSON, 'OFPPC_')
    ).toBe('NO_FWD');
  });

  it('shows the device address whichever kind it is', () => {
    expect(deviceAddress(Device.fromPartial({ hostAndPort: 'bbsim:50060' }))).toBe('bbsim:50060');
    expect(deviceAddress(Device.fromPartial({ ipv4Address: '10.0.0.1' }))).toBe('10.0.0.1');
    expect(deviceAddress(Device.fromPartial({}))).toBe('');
    expect(deviceView.columns.map((c) => c.header)).toEqual([
      'ID',
      'TYPE',
      'ROOT',
      'PARENTID',
      'SERIAL',
      'ADDRESS',
      'ADMIN',
      'OPER',
      'CONNECT',
      'REASON'
    ]);
  });

  it('prints hardware addresses and logical ports without ofp_port', () => {
    expect(hwAddr([0, 0x0c, 0xe2, 0x31, 0x40, 0])).toBe('00:0c:e2:31:40:00');
    const p = LogicalPort.fromPartial({ id: 'x' });
    expect(logicalPortView.columns.map((c) => c.value(p))).toEqual([
      'x',
      '',
      '',
      '',
      '0',
      'false',
      '',
      '',
      ''
    ]);
  });

  it('marks the latest revision', () => {
    const revs = [
      { $type: 'voltha.Revision' as const, hash: 'a' },
      { $type: 'voltha.Revision' as const, hash: 'b' }
    ];
    const v = revisionView(revs);
    expect(revs.map((r) => v.columns.map((c) => c.value(r)))).toEqual([
      ['0', 'a', ''],
      ['1', 'b', 'yes']
    ]);
  });

  it('formats timestamps and event lines', () => {
    expect(timestampText({ $type: 'google.protobuf.Timestamp', seconds: '0', nanos: 1_500_000 })).toBe(
      '1970-01-01T00:00:00.001Z'
    );
    expect(timestampText(undefined)).toBe('-');
    const e = ConfigEvent.fromPartial({
      type: 2,
      path: '/devices/d',
      seq: '7',
      key: 'd',
      hash: 'h',
      rootHash: 'r'
    });
    expect(eventLine(e)).toBe('- seq=7 update /devices/d key=d hash=h root=r');
  });

  it('knows table views for the config types it can show', () => {
    expect(viewForType('voltha.Device', [])).toBe(deviceView);
    expect(viewForType('openflow_13.ofp_flow_stats', [])?.columns).toHaveLength(4);
    expect(viewForType('voltha.VolthaInstance', [])).toBeUndefined();
  });
});
