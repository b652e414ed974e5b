import { createSimulatedPon } from '../src';
import { ofpPortState, Port_PortType as PortType } from '@voltha/proto';

import { ACTIVE, peerReport, stateCounts } from './helpers';

describe('BBSim-like scale', () => {
  it('activates a 16 x 128 OLT (2,048 ONUs) in well under a few seconds of CPU', async () => {
    const pon = await createSimulatedPon();
    const cpuBefore = process.cpuUsage();
    const olt = await pon.activateOlt('--pon-ports 16 --onus-per-pon 128');
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    expect(cpuMs).toBeLessThan(4000);

    const onus = pon.core.childrenOf(olt.id);
    expect(onus).toHaveLength(2048);
    expect(stateCounts([olt, ...onus])).toEqual({ [ACTIVE]: 2049 });

    // PON ports 1..16 and the NNI at 65536.
    expect(olt.ports.map((p) => [p.portNo, PortType[p.type]])).toEqual([
      [65536, 'ETHERNET_NNI'],
      ...Array.from({ length: 16 }, (_, i) => [i + 1, 'PON_OLT'])
    ]);
    expect(olt.ports.filter((p) => p.type === PortType.PON_OLT).map((p) => p.peers.length)).toEqual(
      Array(16).fill(128)
    );

    const [ld] = pon.core.listLogicalDevices();
    expect(ld.ports).toHaveLength(2049);
    expect(ld.ports.every((p) => p.ofpPort?.state === ofpPortState.OFPPS_LIVE)).toBe(true);
    expect(ld.ports[0]).toMatchObject({ id: 'nni', devicePortNo: 65536, rootPort: true });
    expect(ld.ports[0].ofpPort?.portNo).toBe(65536);
    const uniNumbers = ld.ports.slice(1).map((p) => p.ofpPort?.portNo as number);
    expect(new Set(uniNumbers).size).toBe(2048);
    expect(Math.min(...uniNumbers)).toBe(101);
    expect(Math.max(...uniNumbers)).toBe(2148);
    // ONU k of PON p: channel 100 + (p - 1) * 128 + k, its VLAN and UNI port number.
    const onPon3 = onus
      .filter((o) => o.parentPortNo === 3)
      .map((o) => o.vlan)
      .sort((a, b) => a - b);
    expect(onPon3[0]).toBe(100 + 2 * 128 + 1);
    expect(onPon3[127]).toBe(100 + 3 * 128);

    const peers = peerReport(pon.core, olt.id);
    expect(peers.oltSide).toHaveLength(2048);
    expect(peers.oltSide).toEqual(peers.onuSide);
    // The OLT's writes do not grow with the ONUs: ~5 for itself, then one transaction per discovery batch.
    expect(pon.core.transactions.get('simulated_olt')).toBeLessThanOrEqual(5 + 128);
    expect(pon.core.errors).toEqual([]);
    expect(pon.backgroundErrors).toEqual([]);
  });

  it('disables and re-enables a 16 x 128 OLT with one OLT transaction per step, whatever the ONU count', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt('--pon-ports 16 --onus-per-pon 128');
    const before = pon.core.transactions.get('simulated_olt') ?? 0;
    const cpuBefore = process.cpuUsage();
    pon.core.disableDevice(olt.id);
    await pon.settle();
    expect(pon.core.transactions.get('simulated_olt')).toBe(before + 1);
    expect(stateCounts(pon.core.listDevices())).toEqual({ 'DISABLED/UNKNOWN/UNREACHABLE': 2049 });
    expect(pon.core.listLogicalDevices()).toEqual([]);
    expect(peerReport(pon.core, olt.id)).toEqual({ oltSide: [], onuSide: [] });
    pon.core.enableDevice(olt.id);
    await pon.settle();
    const cpu = process.cpuUsage(cpuBefore);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(4000);
    expect(pon.core.transactions.get('simulated_olt')).toBe(before + 1 + 3);
    expect(stateCounts(pon.core.listDevices())).toEqual({ [ACTIVE]: 2049 });
    expect(pon.core.listLogicalDevices()[0].ports).toHaveLength(2049);
    expect(pon.core.errors).toEqual([]);
  });

  it('discovers one ONU per PON per batch, batches `--discovery-batch-delay` apart', async () => {
    const pon = await createSimulatedPon();
    const created = pon.createOlt('--pon-ports 4 --onus-per-pon 3 --discovery-batch-delay 200');
    pon.core.enableDevice(created.id);
    await pon.settle();
    const perPon = (): number[] =>
      [1, 2, 3, 4].map((p) => pon.core.childrenOf(created.id).filter((o) => o.parentPortNo === p).length);
    expect(perPon()).toEqual([1, 1, 1, 1]);
    await pon.scheduler.advance(199);
    expect(perPon()).toEqual([1, 1, 1, 1]);
    await pon.scheduler.advance(1);
    expect(perPon()).toEqual([2, 2, 2, 2]);
    await pon.scheduler.advance(200);
    expect(perPon()).toEqual([3, 3, 3, 3]);
    expect(pon.olt.status(created.id)?.discoveryComplete).toBe(true);
    await pon.scheduler.advance(10_000);
    expect(pon.core.childrenOf(created.id)).toHaveLength(12);
  });

  it('runs two OLTs side by side with their own logical devices and channel ids', async () => {
    const pon = await createSimulatedPon();
    const a = await pon.activateOlt();
    const b = await pon.activateOlt('--pon-ports 2 --onus-per-pon 2');
    expect(a.parentId).not.toBe(b.parentId);
    expect(pon.core.logicalDevice(a.parentId)?.ports.map((p) => p.ofpPort?.portNo)).toEqual([
      129, 101, 102, 103, 104
    ]);
    expect(
      pon.core
        .logicalDevice(b.parentId)
        ?.ports.map((p) => p.ofpPort?.portNo)
        .sort((x, y) => (x ?? 0) - (y ?? 0))
    ).toEqual([101, 102, 229, 230, 65536]);
    expect(stateCounts(pon.core.listDevices())).toEqual({ [ACTIVE]: 2 + 4 + 4 });
  });
});
