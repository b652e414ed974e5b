import { createSimulatedPon, onuSerialNumber } from '../src';
import { AdminState_AdminState as AdminState } from '@voltha/proto';

import { ACTIVE, peerReport, state, stateCounts } from './helpers';

describe('pre-provisioned ONUs', () => {
  it('activates children already in the tree for their PON/ONU slot instead of duplicating them', async () => {
    const pon = await createSimulatedPon();
    const olt = pon.createOlt('--pon-ports 2 --onus-per-pon 2');
    // By serial number (PON 1, ONU 2), by PON port + ONU id (PON 2, ONU 1), and one beyond the initial 2 (PON 1, ONU 3).
    const bySerial = pon.core.seedDevice({
      type: 'simulated_onu',
      parentId: olt.id,
      adminState: AdminState.PREPROVISIONED,
      serialNumber: onuSerialNumber(olt.id, 1, 2)
    });
    const byOnuId = pon.core.seedDevice({
      type: 'simulated_onu',
      parentId: olt.id,
      parentPortNo: 2,
      proxyAddress: { onuId: 1 },
      adminState: AdminState.PREPROVISIONED
    });
    const later = pon.core.seedDevice({
      type: 'simulated_onu',
      parentId: olt.id,
      adminState: AdminState.PREPROVISIONED,
      serialNumber: onuSerialNumber(olt.id, 1, 3)
    });
    pon.core.enableDevice(olt.id);
    await pon.settle();

    const onus = pon.core.childrenOf(olt.id);
    expect(onus).toHaveLength(5);
    const find = (id: string) => pon.core.device(id);
    expect(state(find(bySerial.id))).toBe(ACTIVE);
    expect(find(bySerial.id)).toMatchObject({
      parentPortNo: 1,
      vlan: 102,
      proxyAddress: { deviceId: olt.id, channelId: 102, onuId: 2 }
    });
    expect(state(find(byOnuId.id))).toBe(ACTIVE);
    expect(find(byOnuId.id)).toMatchObject({
      parentPortNo: 2,
      vlan: 229,
      serialNumber: onuSerialNumber(olt.id, 2, 1)
    });
    expect(state(find(later.id))).toBe('PREPROVISIONED/UNKNOWN/UNKNOWN');
    expect(stateCounts(onus)).toEqual({ [ACTIVE]: 4, 'PREPROVISIONED/UNKNOWN/UNKNOWN': 1 });

    // Its ONU arrives later: the pre-provisioned device is the one that comes up.
    const arrived = await pon.olt.arriveOnus(olt.id, 1, 1);
    await pon.settle();
    expect(arrived.map((d) => d.id)).toEqual([later.id]);
    expect(state(find(later.id))).toBe(ACTIVE);
    expect(find(later.id)?.vlan).toBe(103);
    expect(pon.core.childrenOf(olt.id)).toHaveLength(5);
    expect(pon.core.logicalDevice(pon.core.device(olt.id)?.parentId ?? '')?.ports).toHaveLength(6);
    expect(pon.core.errors).toEqual([]);
  });
});

describe('ONU arrival and departure (control API)', () => {
  it('adds N more ONUs on a PON at the lowest free ONU ids, and removes ONUs with their ports, peers and UNI ports', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    const arrived = await pon.olt.arriveOnus(olt.id, 1, 4);
    await pon.settle();
    expect(arrived.map((d) => d.vlan)).toEqual([105, 106, 107, 108]);
    expect(stateCounts(pon.core.childrenOf(olt.id))).toEqual({ [ACTIVE]: 8 });
    expect(pon.core.logicalDevice(olt.parentId)?.ports).toHaveLength(9);

    const gone = await pon.olt.departOnus(olt.id, { ponPortNo: 1, count: 2 });
    await pon.settle();
    expect(gone).toEqual([arrived[3].id, arrived[2].id]);
    expect(pon.core.childrenOf(olt.id).map((o) => o.vlan)).toEqual([101, 102, 103, 104, 105, 106]);
    expect(pon.core.logicalDevice(olt.parentId)?.ports.map((p) => p.id)).toEqual([
      'nni',
      '101',
      '102',
      '103',
      '104',
      '105',
      '106'
    ]);
    const peers = peerReport(pon.core, olt.id);
    expect(peers.oltSide).toHaveLength(6);
    expect(peers.oltSide).toEqual(peers.onuSide);
    expect(gone.map((id) => pon.onu.status(id))).toEqual([undefined, undefined]);

    const first = pon.core.childrenOf(olt.id)[0];
    expect(await pon.olt.departOnus(olt.id, { ponPortNo: 1, onuIds: [1] })).toEqual([first.id]);
    const again = await pon.olt.arriveOnus(olt.id, 1);
    await pon.settle();
    expect(again.map((d) => d.vlan)).toEqual([101]);
    expect(again[0].id).not.toBe(first.id);
    expect(state(pon.core.device(again[0].id))).toBe(ACTIVE);
    expect(pon.core.errors).toEqual([]);
  });

  it('numbers arrivals on another PON of a scaled OLT by that PON', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt('--pon-ports 4 --onus-per-pon 2');
    const arrived = await pon.olt.arriveOnus(olt.id, 3, 2);
    await pon.settle();
    expect(arrived.map((d) => [d.parentPortNo, d.vlan, d.proxyAddress?.onuId])).toEqual([
      [3, 100 + 2 * 128 + 3, 3],
      [3, 100 + 2 * 128 + 4, 4]
    ]);
    expect(stateCounts(pon.core.childrenOf(olt.id))).toEqual({ [ACTIVE]: 10 });
  });

  it('refuses arrivals beyond the PON capacity, on a missing PON, on an inactive OLT, and unknown departures', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    await expect(pon.olt.arriveOnus(olt.id, 1, 25)).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION',
      message: expect.stringMatching(/has 24 free ONU id\(s\) of 28; 25 asked/)
    });
    await expect(pon.olt.arriveOnus(olt.id, 2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pon.olt.arriveOnus(olt.id, 1, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pon.olt.departOnus(olt.id, { ponPortNo: 1, onuIds: [9] })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    });
    await expect(pon.olt.departOnus(olt.id, { ponPortNo: 1, count: 5 })).rejects.toMatchObject({
      code: 'FAILED_PRECONDITION'
    });
    await expect(pon.olt.arriveOnus('nope', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    pon.core.disableDevice(olt.id);
    await pon.settle();
    await expect(pon.olt.arriveOnus(olt.id, 1)).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(pon.core.childrenOf(olt.id)).toHaveLength(4);
  });
});

describe('proxied message round trip', () => {
  it('keeps each ONU ACTIVATING until the OLT echoes its test message back', async () => {
    const pon = await createSimulatedPon({ timings: { echoDelayMs: 200 } });
    const created = pon.createOlt('--onus-per-pon 1');
    pon.core.enableDevice(created.id);
    await pon.settle();
    const [onu] = pon.core.childrenOf(created.id);
    expect(state(onu)).toBe('ENABLED/ACTIVATING/REACHABLE');
    expect(pon.core.logicalDevice(pon.core.device(created.id)?.parentId ?? '')?.ports).toHaveLength(2);
    expect(pon.core.proxied).toEqual({ toParent: 1, toChild: 0 });
    await pon.scheduler.advance(199);
    expect(pon.core.device(onu.id)?.operStatus).toBe(onu.operStatus);
    await pon.scheduler.advance(1);
    expect(pon.core.proxied).toEqual({ toParent: 1, toChild: 1 });
    expect(state(pon.core.device(onu.id))).toBe(ACTIVE);
    expect(pon.onu.status(onu.id)?.messagesReceived).toBe(1);
  });

  it('fails the ONU when no echo comes within proxiedResponseTimeoutMs', async () => {
    const pon = await createSimulatedPon({
      timings: { echoDelayMs: 5_000, proxiedResponseTimeoutMs: 1_000 }
    });
    const created = pon.createOlt('--onus-per-pon 1');
    pon.core.enableDevice(created.id);
    await pon.settle();
    await pon.scheduler.advance(1_000);
    const [onu] = pon.core.childrenOf(created.id);
    expect(state(onu)).toBe('ENABLED/FAILED/REACHABLE');
    expect(onu.reason).toMatch(/no reply to the proxied test message within 1000 ms/);
    expect(pon.backgroundErrors).toHaveLength(1);
    // The late echo finds no waiter and changes nothing.
    await pon.scheduler.advance(10_000);
    expect(pon.core.device(onu.id)?.operStatus).toBe(onu.operStatus);
  });
});
