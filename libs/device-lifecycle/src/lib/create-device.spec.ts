import {
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  Device,
  DeviceType,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';

import { addressKeyOf, checkDeviceId, prepareNewDevice } from './create-device';

const simOlt = DeviceType.fromPartial({ id: 'simulated_olt', adapter: 'simulated_olt', vendorId: 'SIMU' });

describe('prepareNewDevice', () => {
  it('should assign id, adapter and vendor id and force the initial states', () => {
    const d = prepareNewDevice(
      Device.fromPartial({
        type: 'simulated_olt',
        macAddress: '00:00:00:00:00:01',
        operStatus: OperStatus.ACTIVE,
        connectStatus: ConnectStatus.REACHABLE,
        parentId: 'sneaky'
      }),
      simOlt,
      '0001aabbccddeeff'
    );
    expect(d).toMatchObject({
      id: '0001aabbccddeeff',
      type: 'simulated_olt',
      adapter: 'simulated_olt',
      vendorId: 'SIMU',
      macAddress: '00:00:00:00:00:01',
      adminState: AdminState.PREPROVISIONED,
      operStatus: OperStatus.UNKNOWN,
      connectStatus: ConnectStatus.UNKNOWN,
      parentId: ''
    });
  });

  it.each([
    [{ id: 'x', type: 'simulated_olt' }, "id must be empty (got 'x')"],
    [{ type: '' }, 'type is required'],
    [{ type: 'nope' }, "unknown device type 'nope'"],
    [
      { type: 'simulated_olt', adminState: AdminState.ENABLED },
      'admin_state must be UNKNOWN or PREPROVISIONED (got ENABLED)'
    ],
    [{ type: 'simulated_olt', macAddress: '00:00' }, "mac_address '00:00' is not a MAC address"],
    [{ type: 'simulated_olt', ipv4Address: '300.1.1.1' }, 'is not an IPv4 address'],
    [{ type: 'simulated_olt', ipv6Address: 'zz::1' }, 'is not an IPv6 address'],
    [{ type: 'simulated_olt', hostAndPort: 'olt:99999' }, 'is not host:port'],
    [
      { type: 'simulated_olt', ports: [{ portNo: 1 }] },
      'ports, flows, flow_groups, pm_configs and image_downloads are not accepted'
    ]
  ])('should reject %j with INVALID_ARGUMENT', (partial, message) => {
    const type = partial.type === 'simulated_olt' ? simOlt : undefined;
    let error: { code?: string; message?: string } = {};
    try {
      prepareNewDevice(Device.fromPartial(partial), type, '0001aabbccddeeff');
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain(message);
  });
});

describe('addressKeyOf', () => {
  it('should normalise the address the device is reached at', () => {
    expect(addressKeyOf(Device.fromPartial({ macAddress: 'AA:BB:CC:DD:EE:FF' }))).toBe(
      'mac:aa:bb:cc:dd:ee:ff'
    );
    expect(addressKeyOf(Device.fromPartial({ hostAndPort: 'OLT1:50060' }))).toBe('host:olt1:50060');
    expect(addressKeyOf(Device.fromPartial({ ipv4Address: '10.0.0.1' }))).toBe('ipv4:10.0.0.1');
    expect(addressKeyOf(Device.fromPartial({}))).toBeUndefined();
  });
});

describe('checkDeviceId', () => {
  it('should reject empty ids and ids with a slash', () => {
    expect(checkDeviceId('abc')).toBe('abc');
    expect(() => checkDeviceId('')).toThrow('device id is required');
    expect(() => checkDeviceId('a/b')).toThrow("device id 'a/b' must not contain '/'");
  });
});
