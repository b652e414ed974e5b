import { createSimulatedPon, PORT_COUNTER_NAMES } from '../src';
import {
  applyActions,
  ethType,
  flowStats,
  inPort,
  output,
  popVlan,
  pushVlan,
  setVlanVid,
  vlanVid
} from '@voltha/openflow';
import {
  AlarmEventCategory_AlarmEventCategory as AlarmCategory,
  KpiEventType_KpiEventType as KpiType
} from '@voltha/proto';
import type { KpiEvent } from '@voltha/proto';

// The two OLT flows of 1.x's cold-activation test: the default downstream rule and the EAPOL trap.
const defaultRule = flowStats({
  priority: 2000,
  match: [inPort(2), vlanVid(0x1000 | 4000)],
  instructions: [applyActions([popVlan(), output(1)])]
});
const eapolTrap = flowStats({
  priority: 1000,
  match: [inPort(1), ethType(0x888e)],
  instructions: [applyActions([pushVlan(), setVlanVid(0x1000 | 4000), output(2)])]
});

describe('flows', () => {
  it('pushes the complete device table in bulk and keeps it for inspection', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.updateDeviceFlows(olt.id, { items: [defaultRule] });
    await pon.settle();
    pon.core.updateDeviceFlows(olt.id, { items: [defaultRule, eapolTrap] });
    await pon.settle();
    const table = pon.olt.flowTable(olt.id);
    expect(table?.flows.map((f) => f.id)).toEqual([defaultRule.id, eapolTrap.id]);
    expect(table).toMatchObject({ downstream: 1, upstream: 1, updates: 2 });
    expect(
      pon.core.calls
        .filter((c) => c.deviceId === olt.id && c.call.startsWith('updateFlows'))
        .map((c) => c.call)
    ).toEqual(['updateFlowsBulk', 'updateFlowsBulk']);

    const [onu] = pon.core.childrenOf(olt.id);
    pon.core.updateDeviceFlows(onu.id, {
      items: [flowStats({ priority: 500, match: [inPort(2)], instructions: [applyActions([output(1)])] })]
    });
    await pon.settle();
    expect(pon.onu.flowTable(onu.id)).toMatchObject({ upstream: 1, downstream: 0, updates: 1 });
    expect(pon.core.errors).toEqual([]);
  });

  it('refuses a table with a flow whose in_port is not a port of the device, keeping the previous table', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.updateDeviceFlows(olt.id, { items: [defaultRule] });
    await pon.settle();
    const stray = flowStats({ priority: 10, match: [inPort(7)], instructions: [applyActions([output(2)])] });
    pon.core.updateDeviceFlows(olt.id, { items: [defaultRule, stray] });
    await pon.settle();
    expect(pon.core.errors).toHaveLength(1);
    expect(pon.core.errors[0].error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/in_port 7 is not a port/)
    });
    expect(pon.olt.flowTable(olt.id)?.flows.map((f) => f.id)).toEqual([defaultRule.id]);
    const noInPort = flowStats({ priority: 10, match: [ethType(0x800)] });
    pon.core.updateDeviceFlows(olt.id, { items: [noInPort] });
    await pon.settle();
    expect(pon.core.errors[1].error).toMatchObject({ message: expect.stringMatching(/has no in_port/) });
  });

  it('accepts the NNI and every PON port of a scaled OLT as in_port', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt('--pon-ports 3 --onus-per-pon 1');
    const items = [65536, 1, 2, 3].map((port) =>
      flowStats({ priority: port, match: [inPort(port)], instructions: [applyActions([output(1)])] })
    );
    pon.core.updateDeviceFlows(olt.id, { items });
    await pon.settle();
    expect(pon.olt.flowTable(olt.id)).toMatchObject({ downstream: 1, upstream: 3 });
    expect(pon.core.errors).toEqual([]);
  });

  it('clears the table when the device is disabled (the NBI empties it first)', async () => {
    const pon = await createSimulatedPon();
    const olt = await pon.activateOlt();
    pon.core.updateDeviceFlows(olt.id, { items: [defaultRule, eapolTrap] });
    await pon.settle();
    pon.core.disableDevice(olt.id);
    await pon.settle();
    expect(pon.olt.flowTable(olt.id)?.flows).toEqual([]);
  });
});

describe('KPIs and alarms', () => {
  const counter = (e: KpiEvent, prefix: string, name: string): number => e.prefixes[prefix].metrics[name];

  it('submits a KPI slice every 15 s with monotonically increasing counters', async () => {
    const pon = await createSimulatedPon({ timings: { kpiIntervalMs: 15_000 } });
    const olt = await pon.activateOlt();
    const start = pon.scheduler.now();
    await pon.scheduler.advance(45_000);
    expect(pon.core.kpis).toHaveLength(3);
    const prefix = `voltha.simulated_olt.${olt.id}`;
    const [a, b, c] = pon.core.kpis;
    expect(a.type).toBe(KpiType.slice);
    expect(pon.core.kpis.map((e) => e.ts)).toEqual([15, 30, 45].map((s) => start / 1000 + s));
    expect(Object.keys(a.prefixes).sort()).toEqual([prefix, `${prefix}.nni`, `${prefix}.pon`]);
    expect(Object.keys(a.prefixes[prefix].metrics).sort()).toEqual(['buffer_util', 'cpu_util']);
    expect(Object.keys(a.prefixes[`${prefix}.pon`].metrics).sort()).toEqual([...PORT_COUNTER_NAMES].sort());
    for (const port of ['nni', 'pon']) {
      for (const name of PORT_COUNTER_NAMES) {
        expect(counter(a, `${prefix}.${port}`, name)).toBeLessThan(counter(b, `${prefix}.${port}`, name));
        expect(counter(b, `${prefix}.${port}`, name)).toBeLessThan(counter(c, `${prefix}.${port}`, name));
      }
    }
  });

  it('applies a PM config change at once: frequency, enabled metrics, and 0 stops collection', async () => {
    const pon = await createSimulatedPon({ timings: { kpiIntervalMs: 15_000 } });
    const olt = await pon.activateOlt();
    const pm = pon.core.device(olt.id)?.pmConfigs;
    pon.core.updateDevicePmConfigs(olt.id, {
      ...pm,
      defaultFreq: 50,
      metrics: pm?.metrics.map((m) => ({ ...m, enabled: m.name !== 'rx_bytes' }))
    });
    await pon.settle();
    await pon.scheduler.advance(10_000);
    expect(pon.core.kpis).toHaveLength(2);
    const nni = pon.core.kpis[0].prefixes[`voltha.simulated_olt.${olt.id}.nni`].metrics;
    expect(nni.tx_bytes).toBeGreaterThan(0);
    expect(nni.rx_bytes).toBeUndefined();
    pon.core.updateDevicePmConfigs(olt.id, { ...pm, defaultFreq: 0 });
    await pon.settle();
    await pon.scheduler.advance(60_000);
    expect(pon.core.kpis).toHaveLength(2);
    expect(pon.core.calls.filter((c) => c.call === 'updatePmConfig')).toHaveLength(2);
  });

  it('reports one counter prefix per PON port on a scaled OLT', async () => {
    const pon = await createSimulatedPon({ timings: { kpiIntervalMs: 1_000 } });
    const olt = await pon.activateOlt('--pon-ports 3 --onus-per-pon 0');
    await pon.scheduler.advance(1_000);
    const prefix = `voltha.simulated_olt.${olt.id}`;
    expect(Object.keys(pon.core.kpis[0].prefixes).sort()).toEqual([
      prefix,
      `${prefix}.nni`,
      `${prefix}.pon.1`,
      `${prefix}.pon.2`,
      `${prefix}.pon.3`
    ]);
  });

  it('raises a simulated alarm every alarmIntervalMs, and stops with the device', async () => {
    const pon = await createSimulatedPon({ timings: { alarmIntervalMs: 30_000 }, seed: 7 });
    const olt = await pon.activateOlt();
    await pon.scheduler.advance(60_000);
    expect(pon.core.alarms).toHaveLength(2);
    const { deviceId, alarm } = pon.core.alarms[0];
    expect(deviceId).toBe(olt.id);
    expect(alarm).toMatchObject({ id: `voltha.simulated_olt.${olt.id}`, resourceId: olt.id });
    expect(alarm.description).toMatch(
      new RegExp(`^Simulated alarm - device:${olt.id} type:\\w+ severity:\\w+ state:\\w+ category:\\w+$`)
    );
    expect(Object.values(AlarmCategory)).toContain(alarm.category);
    expect(alarm.context).toMatchObject({ adapter: 'simulated_olt', logical_device_id: olt.parentId });
    pon.core.disableDevice(olt.id);
    await pon.settle();
    await pon.scheduler.advance(120_000);
    expect(pon.core.alarms).toHaveLength(2);
    expect(pon.scheduler.pendingTimers).toBe(0);
  });
});
