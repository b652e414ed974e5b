import { status } from '@grpc/grpc-js';

import {
  applyActions,
  bucket,
  ETH_TYPE_IPV4,
  ethType,
  flowMod as buildFlowMod,
  flowStatsFromFlowMod,
  group,
  groupMod,
  inPort,
  ipv4Dst,
  matchInPort,
  matchTunnelId,
  output,
  popVlan
} from '@voltha/openflow';
import { ofpGroupModCommand, ofpGroupType, toWireAny } from '@voltha/proto';
import type { ofpFlowStats, ofpGroupEntry } from '@voltha/proto';

import { deleteStrict, eapolTrap, flowIdOf, subscriberFlowMods } from './support/flows';
import { NNI_LOGICAL_PORT, ONU_PON_PORT, ONU_UNI_PORT, PonTestAdapter } from './support/pon-adapter';
import type { OltInfo } from './support/pon-adapter';
import { CoreConfigProcess, DecomposerProcess, waitFor } from './support/processes';

jest.setTimeout(90_000);

interface Stats {
  logicalDevices: number;
  logicalFlows: number;
  deviceFlows: number;
  failedFlows: number;
  eventsProcessed: string;
  batchesWritten: string;
  reconciles: string;
  lastSeq: string;
  eventSource: string;
}

interface FailedFlowJson {
  logicalDeviceId: string;
  flowId: string;
  reason: string;
  message: string;
}

const OLT_PON_PORT = 1;
const CONTROLLER = 0x7ffffffd;

describe('flow-decomposer end to end (core-config embedded, Watch)', () => {
  const core = new CoreConfigProcess();
  let decomposer: DecomposerProcess;
  let adapter: PonTestAdapter;
  let olt: OltInfo;

  const deviceFlows = async (id: string): Promise<ofpFlowStats[]> =>
    (await core.voltha.call<{ items: ofpFlowStats[] }>('ListDeviceFlows', { id })).items;
  const stats = (): Promise<Stats> => decomposer.api.call<Stats>('GetStats', {});
  const flowMod = (mod: unknown): Promise<unknown> =>
    core.voltha.call('UpdateLogicalDeviceFlowTable', { id: olt.ldId, flowMod: mod });
  /** Waits until the OLT and every ONU hold the expected number of device flows. */
  const tablesSettle = async (oltCount: number, onuCount: (i: number) => number): Promise<void> => {
    await waitFor(
      'device tables',
      async () => {
        if ((await deviceFlows(olt.id)).length !== oltCount) return undefined;
        for (let i = 0; i < olt.onus.length; i++) {
          if ((await deviceFlows(olt.onus[i].id)).length !== onuCount(i)) return undefined;
        }
        return true;
      },
      20_000
    );
  };

  beforeAll(async () => {
    // The decomposer starts first: it waits for core-config instead of exiting.
    await core.reservePorts();
    decomposer = new DecomposerProcess(core.address, ['--batch-wait-ms', '2']);
    await decomposer.start(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(decomposer.process?.running).toBe(true);
    expect(await decomposer.ready()).toBe(false);
    await core.start();
    await decomposer.waitReady();

    adapter = new PonTestAdapter(core.config, { pons: 1, onusPerPon: 4 });
    await adapter.register();
    const created = await core.voltha.call<{ id: string }>('CreateDevice', {
      type: 'test_olt',
      macAddress: '00:00:00:00:00:01'
    });
    await core.voltha.call('EnableDevice', { id: created.id });
    olt = await adapter.activated(created.id);
  });

  afterAll(async () => {
    adapter?.stop();
    await decomposer?.stop();
    await core.dispose();
  });

  it('should wait for core-config, then follow the Watch stream', async () => {
    expect(decomposer.process?.output).toContain('waiting-for-core');
    const s = await waitFor('logical device followed', async () => {
      const x = await stats();
      return x.logicalDevices === 1 ? x : undefined;
    });
    expect(s.eventSource).toBe('watch');
    expect(Number(s.reconciles)).toBeGreaterThanOrEqual(1);
  });

  it('should turn the cold-activation EAPOL traps into one OLT flow per UNI and one ONU flow per ONU', async () => {
    for (const onu of olt.onus) await flowMod(eapolTrap(onu.uni));
    const logical = await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId });
    expect(logical.items).toHaveLength(4);

    await tablesSettle(4, () => 1);
    const oltFlows = await deviceFlows(olt.id);
    expect(oltFlows.map((f) => Number(matchTunnelId(f.match))).sort()).toEqual(
      olt.onus.map((o) => o.uni).sort()
    );
    for (const f of oltFlows) {
      expect(f).toMatchObject({ tableId: 0, priority: 1000 });
      expect(matchInPort(f.match)).toBe(OLT_PON_PORT);
      const out = f.instructions[0].actions?.actions.find((a) => a.type === 0);
      expect(out?.output?.port).toBe(CONTROLLER);
    }
    for (const onu of olt.onus) {
      const [f] = await deviceFlows(onu.id);
      expect(f).toMatchObject({ tableId: 0, priority: 1000 });
      expect(matchInPort(f.match)).toBe(ONU_UNI_PORT);
      expect(Number(matchTunnelId(f.match))).toBe(onu.uni);
      const out = f.instructions[0].actions?.actions.find((a) => a.type === 0);
      expect(out?.output?.port).toBe(ONU_PON_PORT);
    }
    const s = await stats();
    expect(s).toMatchObject({ logicalFlows: 4, deviceFlows: 8, failedFlows: 0 });
    expect(NNI_LOGICAL_PORT).toBe(olt.nni);
  });

  it('should remove the device flows of deleted logical flows', async () => {
    const [first] = olt.onus;
    await flowMod(deleteStrict(eapolTrap(first.uni)));
    await tablesSettle(3, (i) => (i === 0 ? 0 : 1));
    expect((await deviceFlows(olt.id)).some((f) => Number(matchTunnelId(f.match)) === first.uni)).toBe(false);
    // and back
    await flowMod(eapolTrap(first.uni));
    await tablesSettle(4, () => 1);
  });

  it('should report flows a departed ONU makes undecomposable, and redo them when it comes back', async () => {
    const onu = olt.onus[1];
    const trapId = flowIdOf(eapolTrap(onu.uni));
    await adapter.removeOnu(onu);
    const failed = await waitFor('failed flow', async () => {
      const r = await decomposer.api.call<{ items: FailedFlowJson[] }>('ListFailedFlows', { id: olt.ldId });
      return r.items.length === 1 ? r.items : undefined;
    });
    expect(failed[0]).toMatchObject({ logicalDeviceId: olt.ldId, flowId: trapId, reason: 'NO_ROUTE' });
    expect(failed[0].message).toContain(trapId);
    expect((await stats()).failedFlows).toBe(1);
    expect(
      (await decomposer.api.call<{ items: unknown[] }>('ListFailedFlows', { id: '' })).items
    ).toHaveLength(1);
    // The OLT flow of that UNI is gone; the logical flow is kept.
    await waitFor('OLT flow withdrawn', async () =>
      (await deviceFlows(olt.id)).length === 3 ? true : undefined
    );
    expect(
      (await core.voltha.call<{ items: unknown[] }>('ListLogicalDeviceFlows', { id: olt.ldId })).items
    ).toHaveLength(4);
    expect(await decomposer.metrics()).toMatch(/flow_decomposer_flow_failures_total\{reason="NO_ROUTE"\} 1/);
    expect(decomposer.process?.output).toContain('flow-decomposition-failed');

    await adapter.restoreOnu(olt, onu);
    await tablesSettle(4, () => 1);
    await waitFor('recovered', async () => ((await stats()).failedFlows === 0 ? true : undefined));
    expect(
      (await decomposer.api.call<{ items: unknown[] }>('ListFailedFlows', { id: olt.ldId })).items
    ).toEqual([]);
  });

  it('should answer the Decompose dry run for the logical device with what the devices hold', async () => {
    const r = await decomposer.api.call<{
      devices: Array<{ deviceId: string; flows: { items: ofpFlowStats[] } }>;
      failed: unknown[];
    }>('Decompose', { logicalDeviceId: olt.ldId });
    expect(r.failed).toEqual([]);
    for (const d of r.devices) {
      const held = await deviceFlows(d.deviceId);
      expect(d.flows.items.map((f) => f.id).sort()).toEqual(held.map((f) => f.id).sort());
    }
    await expect(decomposer.api.call('Decompose', { logicalDeviceId: 'nope' })).rejects.toMatchObject({
      code: status.NOT_FOUND
    });
  });

  it('should mirror the logical groups to the OLT and pass multicast flows to it', async () => {
    const uni = olt.onus[2].uni;
    await core.voltha.call('UpdateLogicalDeviceFlowGroupTable', {
      id: olt.ldId,
      groupMod: groupMod(ofpGroupModCommand.OFPGC_ADD, 7, ofpGroupType.OFPGT_ALL, [
        bucket([popVlan(), output(uni)])
      ])
    });
    const mcast = buildFlowMod({
      priority: 500,
      match: [inPort(olt.nni), ethType(ETH_TYPE_IPV4), ipv4Dst(0xe0010101)],
      instructions: [applyActions([group(7)])]
    });
    await flowMod(mcast);
    await tablesSettle(5, () => 1);
    const groups = await waitFor('OLT groups', async () => {
      const r = await core.voltha.call<{ items: ofpGroupEntry[] }>('ListDeviceFlowGroups', { id: olt.id });
      return r.items.length === 1 ? r.items : undefined;
    });
    expect(groups[0].desc?.groupId).toBe(7);
    // group removal deletes the flow that uses it (OpenFlow) and the OLT's copies
    await core.voltha.call('UpdateLogicalDeviceFlowGroupTable', {
      id: olt.ldId,
      groupMod: groupMod(ofpGroupModCommand.OFPGC_DELETE, 7, ofpGroupType.OFPGT_ALL)
    });
    await tablesSettle(4, () => 1);
    await waitFor('OLT groups gone', async () => {
      const r = await core.voltha.call<{ items: ofpGroupEntry[] }>('ListDeviceFlowGroups', { id: olt.id });
      return r.items.length === 0 ? true : undefined;
    });
  });

  it('should decompose an explicit topology without touching core-config (dry run)', async () => {
    const trap = flowStatsFromFlowMod(eapolTrap(101));
    const unroutable = flowStatsFromFlowMod(eapolTrap(999));
    const r = await decomposer.api.call<{
      devices: Array<{ deviceId: string; flows: { items: ofpFlowStats[] } }>;
      failed: FailedFlowJson[];
    }>('Decompose', {
      logicalDevice: { id: 'ld-x', rootDeviceId: 'olt-x' },
      logicalPorts: [
        { id: 'nni', ofpPort: { portNo: 129 }, deviceId: 'olt-x', devicePortNo: 2, rootPort: true },
        { id: 'uni-101', ofpPort: { portNo: 101 }, deviceId: 'onu-x', devicePortNo: 2 }
      ],
      devices: [
        {
          id: 'olt-x',
          root: true,
          ports: [
            { portNo: 1, type: 3, peers: [{ deviceId: 'onu-x', portNo: 1 }] },
            { portNo: 2, type: 1 }
          ]
        },
        {
          id: 'onu-x',
          parentId: 'olt-x',
          ports: [
            { portNo: 1, type: 4, peers: [{ deviceId: 'olt-x', portNo: 1 }] },
            { portNo: 2, type: 2 }
          ]
        }
      ],
      flows: [trap, unroutable]
    });
    expect(r.devices.map((d) => [d.deviceId, d.flows.items.length])).toEqual([
      ['olt-x', 1],
      ['onu-x', 1]
    ]);
    expect(Number(matchTunnelId(r.devices[0].flows.items[0].match))).toBe(101);
    expect(r.failed).toEqual([
      expect.objectContaining({ logicalDeviceId: 'ld-x', flowId: unroutable.id, reason: 'NO_ROUTE' })
    ]);
    await expect(decomposer.api.call('Decompose', { flows: [trap] })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT
    });
  });

  it('should write nothing when a requested reconcile finds the devices right', async () => {
    const before = await stats();
    const after = await decomposer.api.call<Stats>('Reconcile', { logicalDeviceId: '' });
    expect(Number(after.reconciles)).toBe(Number(before.reconciles) + 1);
    expect(after.batchesWritten).toBe(before.batchesWritten);
    const one = await decomposer.api.call<Stats>('Reconcile', { logicalDeviceId: olt.ldId });
    expect(one.batchesWritten).toBe(before.batchesWritten);
    expect(one).toMatchObject({ logicalFlows: 4, deviceFlows: 8, failedFlows: 0 });
  });

  it('should resync after core-config restarts (its events are gone) and follow again', async () => {
    const onu = olt.onus[3];
    const [dhcp] = subscriberFlowMods(3, onu.uni, olt.nni).slice(1, 2);
    const before = await stats();
    adapter.stop();
    await core.stop();
    await core.start();
    await flowMod(dhcp);
    await tablesSettle(5, (i) => (i === 3 ? 2 : 1));
    const after = await stats();
    expect(after.logicalFlows).toBe(5);
    // the stream could not resume (core-config keeps no events across a restart): a full reconcile
    expect(Number(after.reconciles)).toBeGreaterThan(Number(before.reconciles));
    await flowMod(deleteStrict(dhcp));
    await tablesSettle(4, () => 1);
  });

  it('should reconcile after a restart: what changed meanwhile is applied, nothing duplicated', async () => {
    await decomposer.stop();
    // While it is down: one logical flow deleted, one added, and device tables tampered with.
    await flowMod(deleteStrict(eapolTrap(olt.onus[0].uni)));
    const igmp = subscriberFlowMods(2, olt.onus[2].uni, olt.nni)[2];
    await flowMod(igmp);
    const stale = flowStatsFromFlowMod(eapolTrap(4242));
    await core.config.call('Add', { path: `/devices/${olt.id}/flows/items`, data: toWireAny(stale) });
    const [lost] = await deviceFlows(olt.onus[1].id);
    await core.config.call('Remove', { path: `/devices/${olt.onus[1].id}/flows/items/${lost.id}` });

    await decomposer.start();
    // OLT: traps of UNIs 2-4, IGMP trap of UNI 3; ONUs: 0, 1, 2 (+ IGMP), 1
    await tablesSettle(4, (i) => [0, 1, 2, 1][i]);
    const oltFlows = await deviceFlows(olt.id);
    expect(new Set(oltFlows.map((f) => f.id)).size).toBe(oltFlows.length);
    expect(oltFlows.some((f) => f.id === stale.id)).toBe(false);
    expect((await deviceFlows(olt.onus[1].id)).map((f) => f.id)).toEqual([lost.id]);
    const s = await stats();
    expect(s).toMatchObject({ logicalFlows: 4, deviceFlows: 8, failedFlows: 0 });
    expect(s.reconciles).toBe('1');
    expect(s.batchesWritten).toBe('1');
  });
});
