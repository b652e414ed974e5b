import { HealthStatus_HealthState } from './generated/voltha_protos/health';
import { Adapter } from './generated/voltha_protos/adapter';
import { LogicalDevice } from './generated/voltha_protos/logical_device';
import { ofpFlowStats } from './generated/voltha_protos/openflow_13';
import {
  accessOf,
  childNodeOf,
  decodeMessage,
  encodeMessage,
  fromAny,
  messageDesc,
  toAny,
  toJsonWithDefaults,
  fromJsonWithDefaults
} from './reflection';

describe('reflection', () => {
  it('should read child_node annotations from the compiled descriptors', () => {
    const root = messageDesc('voltha.VolthaInstance');
    const children = Object.fromEntries(
      root.fields.flatMap((f) => {
        const c = childNodeOf(f);
        return c ? [[f.name, c.key]] : [];
      })
    );
    expect(children).toEqual({
      health: '',
      adapters: 'id',
      logical_devices: 'id',
      devices: 'id',
      device_types: 'id',
      device_groups: 'id',
      alarm_filters: 'id'
    });
    const device = messageDesc('voltha.Device');
    expect(childNodeOf(device.fields.find((f) => f.name === 'ports')!)).toEqual({ key: 'port_no' });
    expect(childNodeOf(device.fields.find((f) => f.name === 'vlan')!)).toBeUndefined();
  });

  it('should read access annotations', () => {
    const adapter = messageDesc('voltha.Adapter');
    const readOnly = adapter.fields.filter((f) => accessOf(f) === 1).map((f) => f.name);
    expect(readOnly).toEqual(['id', 'vendor', 'version', 'additional_description']);
    expect(accessOf(messageDesc('voltha.HealthStatus').fields[0])).toBe(1);
  });

  it('should render JSON with defaults, proto names and 64-bit values as strings', () => {
    const json = toJsonWithDefaults(
      LogicalDevice.fromPartial({ id: 'ld1', datapathId: '18446744073709551615' })
    );
    expect(json.id).toBe('ld1');
    expect(json.datapath_id).toBe('18446744073709551615');
    expect(json.root_device_id).toBe('');
    const adapterJson = toJsonWithDefaults(Adapter.fromPartial({ id: '1', config: { logLevel: 3 } }));
    expect(adapterJson).toMatchObject({ id: '1', vendor: '', config: { log_level: 'ERROR' } });
  });

  it('should keep 64-bit values exact through binary and Any round trips', () => {
    const flow = ofpFlowStats.fromPartial({ id: '11819684229970388353', cookie: '18446744073709551615' });
    const back = decodeMessage<typeof flow>('openflow_13.ofp_flow_stats', encodeMessage(flow));
    expect(back.id).toBe('11819684229970388353');
    expect(back.cookie).toBe('18446744073709551615');
    const any = toAny(flow);
    expect(any.typeUrl).toBe('type.googleapis.com/openflow_13.ofp_flow_stats');
    expect(fromAny<typeof flow>(any).cookie).toBe('18446744073709551615');
    expect(HealthStatus_HealthState.DYING).toBe(2);
  });

  it('should read back the JSON it renders, 64-bit values included', () => {
    const ld = LogicalDevice.fromPartial({
      id: 'ld1',
      datapathId: '18446744073709551615',
      rootDeviceId: 'olt'
    });
    const back = fromJsonWithDefaults<LogicalDevice>('voltha.LogicalDevice', toJsonWithDefaults(ld));
    expect(back).toEqual(ld);
    expect(() => fromJsonWithDefaults('voltha.LogicalDevice', { nope: 1 })).toThrow();
  });
});
