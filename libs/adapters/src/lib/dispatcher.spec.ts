import { applyActions, ethType, flowStats, inPort, output } from '@voltha/openflow';
import {
  AdminState_AdminState as AdminState,
  Device,
  DeviceType,
  FlowGroups,
  Flows,
  OperStatus_OperStatus as OperStatus,
  PmConfigs
} from '@voltha/proto';

import type { DeviceAdapter } from './adapter';
import {
  type AdapterCall,
  type DeviceChange,
  DeviceChangeDispatcher,
  diffFlowTables,
  planAdapterCall
} from './dispatcher';

const device = (adminState: AdminState, extra: Partial<Device> = {}): Device =>
  Device.fromPartial({ id: 'd1', type: 'sim', adapter: 'sim', adminState, ...extra });

const bulk = DeviceType.fromPartial({ id: 'sim', adapter: 'sim', acceptsBulkFlowUpdate: true });
const incremental = DeviceType.fromPartial({
  id: 'sim',
  adapter: 'sim',
  acceptsBulkFlowUpdate: true,
  acceptsAddRemoveFlowUpdates: true
});
const neither = DeviceType.fromPartial({ id: 'sim', adapter: 'sim' });

const flowA = flowStats({
  priority: 1000,
  match: [inPort(1), ethType(0x888e)],
  instructions: [applyActions([output(2)])]
});
const flowB = flowStats({ priority: 500, match: [inPort(2)], instructions: [applyActions([output(1)])] });
const flowBChanged = flowStats({
  priority: 500,
  match: [inPort(2)],
  instructions: [applyActions([output(3)])]
});
const tables = (...items: ReturnType<typeof flowStats>[]) => ({
  flows: Flows.fromPartial({ items }),
  groups: FlowGroups.fromPartial({})
});

const plan = (change: DeviceChange, type: DeviceType = bulk): AdapterCall =>
  planAdapterCall(change, { adapterId: 'sim', deviceType: type });

describe('planAdapterCall', () => {
  it('adopts a new device that is already ENABLED (discovered child, UNKNOWN -> ENABLED)', () => {
    const call = plan({ kind: 'added', device: device(AdminState.ENABLED), origin: 'olt' });
    expect(call).toMatchObject({ call: 'adoptDevice', markActivating: true });
  });

  it('does nothing for a new PREPROVISIONED device', () => {
    expect(plan({ kind: 'added', device: device(AdminState.PREPROVISIONED) }).call).toBe('none');
  });

  it.each([
    [AdminState.PREPROVISIONED, AdminState.ENABLED, 'adoptDevice'],
    [AdminState.ENABLED, AdminState.DISABLED, 'disableDevice'],
    [AdminState.DISABLED, AdminState.ENABLED, 'reenableDevice'],
    [AdminState.ENABLED, AdminState.PREPROVISIONED, 'abandonDevice'],
    [AdminState.ENABLED, AdminState.ENABLED, 'none'],
    [AdminState.PREPROVISIONED, AdminState.DISABLED, 'none']
  ])('maps admin %s -> %s to %s (adapterActionFor)', (before, after, expected) => {
    expect(plan({ kind: 'updated', before: device(before), after: device(after), origin: 'nbi' }).call).toBe(
      expected
    );
  });

  it('does not mark a device already ACTIVATING (NBI enable set it)', () => {
    const call = plan({
      kind: 'updated',
      before: device(AdminState.PREPROVISIONED),
      after: device(AdminState.ENABLED, { operStatus: OperStatus.ACTIVATING }),
      origin: 'nbi'
    });
    expect(call).toMatchObject({ call: 'adoptDevice', markActivating: false });
  });

  it("ignores the adapter's own updates, removals, PM and flow writes (echo suppression)", () => {
    const before = device(AdminState.ENABLED);
    const after = device(AdminState.DISABLED);
    expect(plan({ kind: 'updated', before, after, origin: 'sim' })).toEqual({
      call: 'none',
      reason: 'change made by the device adapter'
    });
    expect(plan({ kind: 'removed', device: before, origin: 'sim' }).call).toBe('none');
    expect(
      plan({ kind: 'pm-configs', device: before, pmConfigs: PmConfigs.fromPartial({}), origin: 'sim' }).call
    ).toBe('none');
    expect(
      plan({ kind: 'flows', device: before, before: tables(), after: tables(flowA), origin: 'sim' }).call
    ).toBe('none');
    // ...but a change by another adapter (a parent disabling its children) does reach it.
    expect(plan({ kind: 'updated', before, after, origin: 'olt' }).call).toBe('disableDevice');
  });

  it('deletes a device removed by someone else, and passes reboots and PM configs on', () => {
    const d = device(AdminState.DISABLED);
    expect(plan({ kind: 'removed', device: d, origin: 'nbi' }).call).toBe('deleteDevice');
    expect(plan({ kind: 'reboot', device: d, origin: 'nbi' }).call).toBe('rebootDevice');
    expect(
      plan({ kind: 'pm-configs', device: d, pmConfigs: PmConfigs.fromPartial({ defaultFreq: 50 }) }).call
    ).toBe('updatePmConfig');
  });

  it('pushes the complete table in bulk when the type accepts only bulk updates', () => {
    const call = plan({
      kind: 'flows',
      device: device(AdminState.ENABLED),
      before: tables(flowA),
      after: tables(flowA, flowB)
    });
    expect(call.call).toBe('updateFlowsBulk');
    if (call.call !== 'updateFlowsBulk') return;
    expect(call.flows.items.map((f) => f.id)).toEqual([flowA.id, flowB.id]);
  });

  it('pushes deltas when the type accepts add/remove updates', () => {
    const call = plan(
      {
        kind: 'flows',
        device: device(AdminState.ENABLED),
        before: tables(flowA, flowB),
        after: tables(flowBChanged)
      },
      incremental
    );
    expect(call.call).toBe('updateFlowsIncrementally');
    if (call.call !== 'updateFlowsIncrementally') return;
    expect(call.flowChanges.toAdd?.items.map((f) => f.id)).toEqual([flowBChanged.id]);
    expect(call.flowChanges.toRemove?.items.map((f) => f.id).sort()).toEqual([flowA.id, flowB.id].sort());
  });

  it('sends nothing for an unchanged table or a type without flow support', () => {
    expect(
      plan({ kind: 'flows', device: device(AdminState.ENABLED), before: tables(flowA), after: tables(flowA) })
        .call
    ).toBe('none');
    expect(
      plan(
        { kind: 'flows', device: device(AdminState.ENABLED), before: tables(), after: tables(flowA) },
        neither
      )
    ).toEqual({
      call: 'none',
      reason: 'device type sim accepts no flow updates'
    });
  });
});

describe('diffFlowTables', () => {
  it('reports a flow whose content changed under the same id as removed and added', () => {
    expect(flowB.id).toBe(flowBChanged.id);
    const diff = diffFlowTables(tables(flowB), tables(flowBChanged));
    expect(diff.empty).toBe(false);
    expect(diff.flowChanges.toAdd?.items).toHaveLength(1);
    expect(diff.flowChanges.toRemove?.items).toHaveLength(1);
  });
});

describe('DeviceChangeDispatcher', () => {
  function recordingAdapter(log: string[], gate?: Promise<void>): DeviceAdapter {
    const record =
      (name: string) =>
      async (d: Device): Promise<void> => {
        log.push(`${name}:${d.id}:start`);
        if (gate && name === 'disableDevice') await gate;
        log.push(`${name}:${d.id}:end`);
      };
    return {
      adoptDevice: record('adoptDevice'),
      disableDevice: record('disableDevice'),
      reenableDevice: record('reenableDevice'),
      deleteDevice: record('deleteDevice'),
      rebootDevice: record('rebootDevice'),
      abandonDevice: record('abandonDevice'),
      reconcileDevice: record('reconcileDevice'),
      updateFlowsBulk: record('updateFlowsBulk'),
      updateFlowsIncrementally: record('updateFlowsIncrementally'),
      updatePmConfig: record('updatePmConfig')
    } as unknown as DeviceAdapter;
  }

  it('serialises calls per device in dispatch order, and lets other devices through', async () => {
    const log: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const adapter = recordingAdapter(log, gate);
    const dispatcher = new DeviceChangeDispatcher({
      resolve: () => ({ adapterId: 'sim', adapter, deviceType: bulk })
    });
    const enabled = device(AdminState.ENABLED);
    const disabled = device(AdminState.DISABLED);
    const first = dispatcher.dispatch({ kind: 'updated', before: enabled, after: disabled, origin: 'nbi' });
    const second = dispatcher.dispatch({ kind: 'updated', before: disabled, after: enabled, origin: 'nbi' });
    const other = dispatcher.dispatch({ kind: 'reboot', device: device(AdminState.ENABLED, { id: 'd2' }) });
    await other;
    expect(log).toEqual(['disableDevice:d1:start', 'rebootDevice:d2:start', 'rebootDevice:d2:end']);
    expect(dispatcher.pending).toBe(2);
    open();
    await Promise.all([first, second]);
    await dispatcher.idle();
    expect(log.slice(3)).toEqual([
      'disableDevice:d1:end',
      'reenableDevice:d1:start',
      'reenableDevice:d1:end'
    ]);
    expect(dispatcher.pending).toBe(0);
  });

  it('marks a discovered device ACTIVATING before adopting it, and keeps going after a failed call', async () => {
    const log: string[] = [];
    const adapter = recordingAdapter(log);
    (adapter as { disableDevice: unknown }).disableDevice = () => Promise.reject(new Error('boom'));
    const marked: string[] = [];
    const dispatcher = new DeviceChangeDispatcher({
      resolve: () => ({ adapterId: 'sim', adapter, deviceType: bulk }),
      markActivating: async (d) => {
        marked.push(d.id);
        return Device.fromPartial({ ...d, operStatus: OperStatus.ACTIVATING });
      }
    });
    const failing = dispatcher.dispatch({
      kind: 'updated',
      before: device(AdminState.ENABLED),
      after: device(AdminState.DISABLED)
    });
    await expect(failing).rejects.toThrow('boom');
    await dispatcher.dispatch({ kind: 'added', device: device(AdminState.ENABLED), origin: 'olt' });
    expect(marked).toEqual(['d1']);
    expect(log).toEqual(['adoptDevice:d1:start', 'adoptDevice:d1:end']);
  });

  it('drops changes of devices without an adapter', async () => {
    const calls: AdapterCall[] = [];
    const dispatcher = new DeviceChangeDispatcher({
      resolve: () => undefined,
      onCall: (_id, _a, call) => calls.push(call)
    });
    const call = await dispatcher.dispatch({ kind: 'added', device: device(AdminState.ENABLED) });
    expect(call).toEqual({ call: 'none', reason: 'no adapter for device d1 (type sim)' });
    expect(calls).toHaveLength(1);
  });
});
