import { createSimulatedPon } from '../src';
import { Port_PortType as PortType } from '@voltha/proto';

import { ACTIVE, peerReport, state, stateCounts } from './helpers';

describe('reconcile after an adapter restart', () => {
  it('re-attaches to a running PON without duplicating children, ports, peers or logical devices', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt('--pon-ports 2 --onus-per-pon 3');
    const before = pon.core.listDevices();
    const ldBefore = pon.core.listLogicalDevices();
    const oldOlt = pon.olt;

    await pon.restartAdapters();
    await pon.settle();

    expect(pon.olt).not.toBe(oldOlt);
    expect(pon.core.listDevices().map((d) => [d.id, state(d), d.ports.length])).toEqual(
      before.map((d) => [d.id, state(d), d.ports.length])
    );
    expect(pon.core.listLogicalDevices()).toEqual(ldBefore);
    const peers = peerReport(pon.core, olt.id);
    expect(peers.oltSide).toHaveLength(6);
    expect(peers.oltSide).toEqual(peers.onuSide);
    // The new adapter instances serve the devices: control API and flows work again.
    expect(pon.olt.status(olt.id)).toMatchObject({ state: 'active', onus: 6, logicalDeviceId: olt.parentId });
    expect(pon.core.childrenOf(olt.id).every((o) => pon.onu.status(o.id)?.state === 'active')).toBe(true);
    const arrived = await pon.olt.arriveOnus(olt.id, 2, 1);
    await pon.settle();
    expect(state(pon.core.device(arrived[0].id))).toBe(ACTIVE);
    expect(pon.core.errors).toEqual([]);
    expect(pon.backgroundErrors).toEqual([]);
  });

  it('finishes a discovery interrupted by the restart, and ONUs caught mid-activation', async () => {
    const pon = await createSimulatedPon({ timings: { discoveryBatchDelayMs: 100, echoDelayMs: 30 } });
    const created = pon.createOlt('--pon-ports 2 --onus-per-pon 5');
    pon.core.enableDevice(created.id);
    await pon.scheduler.advance(210); // batches at 0, 100, 200: 3 ONUs per PON; the last ones still wait for their echo
    const partial = pon.core.childrenOf(created.id);
    expect(partial).toHaveLength(6);
    expect(stateCounts(partial)).toEqual({ [ACTIVE]: 4, 'ENABLED/ACTIVATING/REACHABLE': 2 });

    await pon.restartAdapters(); // the old adapters are stopped: their timers never fire
    await pon.scheduler.advance(1_000);

    const onus = pon.core.childrenOf(created.id);
    expect(onus).toHaveLength(10);
    expect(stateCounts(onus)).toEqual({ [ACTIVE]: 10 });
    expect(new Set(onus.map((o) => o.vlan)).size).toBe(10);
    const olt = pon.core.device(created.id);
    expect(olt?.ports).toHaveLength(3);
    expect(olt?.ports.filter((p) => p.type === PortType.PON_OLT).map((p) => p.peers.length)).toEqual([5, 5]);
    expect(onus.every((o) => o.ports.length === 2)).toBe(true);
    expect(pon.core.listLogicalDevices()).toHaveLength(1);
    expect(pon.core.logicalDevice(olt?.parentId ?? '')?.ports).toHaveLength(11);
    expect(pon.core.errors).toEqual([]);
    expect(pon.backgroundErrors).toEqual([]);
  });

  it('completes an OLT that was still activating (no logical device yet) with exactly one logical device', async () => {
    const pon = await createSimulatedPon({ timings: { activationDelayMs: 200, stepDelayMs: 50 } });
    const { id } = pon.createOlt();
    pon.core.enableDevice(id);
    await pon.scheduler.advance(260); // device info and ports written, logical device not yet
    expect(pon.core.device(id)?.ports).toHaveLength(2);
    expect(pon.core.listLogicalDevices()).toEqual([]);
    await pon.restartAdapters();
    await pon.scheduler.advance(1_000);
    expect(state(pon.core.device(id))).toBe(ACTIVE);
    expect(pon.core.device(id)?.ports).toHaveLength(2);
    expect(pon.core.listLogicalDevices()).toHaveLength(1);
    expect(stateCounts(pon.core.childrenOf(id))).toEqual({ [ACTIVE]: 4 });
  });

  it('leaves a disabled PON disabled', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.disableDevice(olt.id);
    await pon.settle();
    const before = pon.core.listDevices();
    await pon.restartAdapters();
    await pon.settle();
    expect(pon.core.listDevices()).toEqual(before);
    expect(pon.olt.status(olt.id)?.state).toBe('disabled');
    // ...and it can be re-enabled by the new instances.
    pon.core.enableDevice(olt.id);
    await pon.settle();
    expect(stateCounts(pon.core.listDevices())).toEqual({ [ACTIVE]: 5 });
    expect(pon.core.errors).toEqual([]);
  });
});
