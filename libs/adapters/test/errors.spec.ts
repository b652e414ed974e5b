import { createSimulatedPon } from '../src';
import { AdminState_AdminState as AdminState, ProxyAddress } from '@voltha/proto';

import { state } from './helpers';

describe('error cases', () => {
  it.each([
    ['--pon-ports 17', /--pon-ports 17 is out of range 1\.\.16/],
    ['--onus-per-pon 129', /--onus-per-pon 129 is out of range 0\.\.128/],
    ['--pon-ports x', /'x' is not a non-negative integer/],
    ['--onus 4', /unknown option '--onus'/]
  ])(
    'an OLT with extra_args %j fails adoption with INVALID_ARGUMENT and is left FAILED with the reason',
    async (args, message) => {
      const pon = await createSimulatedPon();
      const olt = pon.createOlt(args);
      pon.core.enableDevice(olt.id);
      await pon.settle();
      expect(pon.core.errors).toHaveLength(1);
      expect(pon.core.errors[0].error).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(message)
      });
      const after = pon.core.device(olt.id);
      expect(state(after)).toBe('ENABLED/FAILED/UNKNOWN');
      expect(after?.reason).toMatch(message);
      expect(after?.ports).toEqual([]);
      expect(pon.core.listLogicalDevices()).toEqual([]);
      expect(pon.olt.status(olt.id)).toBeUndefined();
    }
  );

  it('an ONU without parent or proxy address fails adoption', async () => {
    const pon = await createSimulatedPon();
    const onu = pon.core.seedDevice({ type: 'simulated_onu', adminState: AdminState.ENABLED });
    await pon.settle();
    expect(state(pon.core.device(onu.id))).toBe('ENABLED/FAILED/UNKNOWN');
    expect(pon.core.device(onu.id)?.reason).toMatch(/parent_id is not set/);
    expect(pon.core.errors[0].error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('an ONU whose parent has no logical device fails its activation with the reason', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt('--onus-per-pon 0');
    pon.core.disableDevice(olt.id);
    await pon.settle();
    const onu = pon.core.seedDevice({
      type: 'simulated_onu',
      parentId: olt.id,
      parentPortNo: 1,
      proxyAddress: { deviceId: olt.id, channelId: 101 },
      adminState: AdminState.ENABLED
    });
    await pon.settle();
    expect(state(pon.core.device(onu.id))).toBe('ENABLED/FAILED/REACHABLE');
    expect(pon.core.device(onu.id)?.reason).toMatch(/has no logical device/);
    expect(pon.backgroundErrors.map((e) => e.deviceId)).toEqual([onu.id]);
  });

  it('calls the simulated adapters do not serve are UNIMPLEMENTED', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    const pa = ProxyAddress.fromPartial({ deviceId: olt.id, channelId: 101 });
    await expect(pon.olt.receiveProxiedMessage(pa)).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    await expect(pon.onu.sendProxiedMessage(pa)).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    await expect(pon.onu.receivePacketOut('ld')).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    await expect(
      pon.olt.sendProxiedMessage({ ...pa, deviceId: 'unknown' }, Buffer.from('x'))
    ).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION'
    });
  });

  it('packet-out reaches the OLT adapter; packet-in from the control API reaches the core', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    await pon.core.sendPacketOut(olt.parentId, 101, Buffer.from('out'));
    expect(pon.olt.packetsOut(olt.id)).toEqual([
      { logicalDeviceId: olt.parentId, egressPortNo: 101, packet: Uint8Array.from(Buffer.from('out')) }
    ]);
    await pon.olt.injectPacketIn(olt.id, 101, Buffer.from('eapol'));
    expect(pon.core.packetIns).toEqual([
      { logicalDeviceId: olt.parentId, portNo: 101, packet: Uint8Array.from(Buffer.from('eapol')) }
    ]);
  });
});
