import { applyActions, flowStats, inPort, output } from '@voltha/openflow';
import { toWireAny } from '@voltha/proto';

import { AdapterAgentProcess, CoreConfigProcess, eventually } from './support/processes';
import { OPER, Pon } from './support/pon';
import type { PonState } from './support/pon';

jest.setTimeout(180_000);

/** What must survive an agent crash unchanged: ids, ports with peers, logical devices and ports. */
function shape(s: PonState): unknown {
  return {
    olt: [s.olt.id, s.olt.parentId, s.olt.operStatus],
    onus: s.onus.map((o) => [o.id, o.vlan, o.serialNumber, o.operStatus]),
    ports: [...s.ports].map(([id, ports]) => [
      id,
      ports.map((p) => [p.portNo, p.type, p.peers.map((x) => `${x.deviceId}/${x.portNo}`).sort()])
    ]),
    logicalDevices: s.logicalDevices.map((l) => [l.id, l.datapathId]),
    logicalPorts: s.logicalPorts.map((p) => [p.id, p.ofpPort.portNo, p.deviceId])
  };
}

describe('adapter-agent: start before core-config, crash (SIGKILL) and restart', () => {
  const core = new CoreConfigProcess(['--backend', 'none']);
  let agent: AdapterAgentProcess;
  let pon: Pon;
  let oltId = '';

  beforeAll(async () => {
    await core.reservePorts();
    // info: the test reads the start-up log lines.
    agent = new AdapterAgentProcess(core.address, ['--log-level', 'info']);
  });

  afterAll(async () => {
    await agent?.stop();
    await core.dispose();
  });

  it('waits for core-config (retrying, with a clear log line) instead of crashing', async () => {
    await agent.start(false);
    await agent.process.waitForOutput('waiting-for-core-config', 30_000);
    expect(agent.process.running).toBe(true);
    await core.start();
    pon = new Pon(core.voltha);
    await agent.waitReady(60_000);
    expect(agent.process.output).toContain('core-config-reachable');
  });

  it('loses and duplicates nothing when killed after the activation (and gets its flows back)', async () => {
    oltId = await pon.createOlt();
    await pon.call('EnableDevice', oltId);
    const before = await pon.waitActive(oltId, 4, 30_000);
    const flow = flowStats({ priority: 2000, match: [inPort(2)], instructions: [applyActions([output(1)])] });
    await core.config.call('Add', {
      path: `/devices/${oltId}/flows/items`,
      data: toWireAny(flow),
      origin: 'test'
    });
    await eventually('flow received', async () => {
      const r = await agent.api.call<{ items: unknown[] }>('ListReceivedFlows', { id: oltId });
      return r.items.length === 1;
    });

    await agent.kill();
    await agent.start();
    // Reconciled devices write only what is missing: nothing changes.
    await new Promise((r) => setTimeout(r, 1000));
    const after = await pon.waitActive(oltId, 4, 30_000);
    expect(shape(after)).toEqual(shape(before));
    expect((await pon.devices()).length).toBe(5);
    const flows = await eventually('flows pushed again', async () => {
      const r = await agent.api.call<{ items: { id: string }[] }>('ListReceivedFlows', { id: oltId });
      return r.items.length === 1 ? r.items : undefined;
    });
    expect(flows[0].id).toBe(flow.id);
  });

  it('completes an activation that a crash interrupted, without duplicates', async () => {
    // 2 x 16, one ONU per PON every 250 ms: the activation takes ~4 s; the agent dies half way.
    const olt2 = await pon.createOlt(
      '--pon-ports 2 --onus-per-pon 16 --discovery-batch-delay 250',
      '00:00:00:00:00:02'
    );
    await pon.call('EnableDevice', olt2);
    await eventually(
      'some ONUs of the second OLT',
      async () => (await pon.children(olt2)).length >= 8,
      30_000,
      50
    );
    await agent.kill();
    const atCrash = (await pon.children(olt2)).length;
    expect(atCrash).toBeLessThan(32);

    await agent.start();
    const s = await pon.waitActive(olt2, 32, 60_000);
    expect(new Set(s.onus.map((o) => o.vlan)).size).toBe(32);
    expect(new Set(s.onus.map((o) => o.serialNumber)).size).toBe(32);
    expect(s.logicalPorts).toHaveLength(33);
    expect(new Set(s.logicalPorts.map((p) => p.ofpPort.portNo)).size).toBe(33);
    const oltPorts = s.ports.get(olt2) ?? [];
    expect(oltPorts.filter((p) => p.peers.length > 0).map((p) => p.peers.length)).toEqual([16, 16]);
    expect(s.onus.every((o) => o.operStatus === OPER.ACTIVE)).toBe(true);
    // The first OLT is untouched.
    expect((await pon.children(oltId)).length).toBe(4);
    expect((await pon.logicalDevices()).length).toBe(2);
  });
});
