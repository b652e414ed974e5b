import type { DeviceAdapter } from '@voltha/adapters';
import type { SourcedEvent } from '@voltha/kafka-events';
import {
  Adapter,
  AdminState_AdminState as AdminState,
  Device,
  DeviceTypes,
  HealthStatus,
  ofpFlowStats,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';
import type { DeepPartial, UnknownMessage } from '@voltha/proto';

import type { ConfigClient } from '../core/config-client';
import { CoreGateway } from '../core/core-gateway';
import { TreeIndex } from '../core/tree-index';
import { AdapterHost } from './adapter-host';
import { Telemetry } from './telemetry';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined
};

/** An adapter that records the calls it gets. */
class RecordingAdapter implements DeviceAdapter {
  public readonly calls: string[] = [];
  private readonly record =
    (name: string) =>
    async (device: Device, ...rest: unknown[]): Promise<void> => {
      const flows = (rest[0] as { items?: unknown[] } | undefined)?.items;
      this.calls.push(`${name} ${device.id}${flows ? ` ${flows.length}` : ''}`);
    };
  public start = async (): Promise<void> => undefined;
  public stop = async (): Promise<void> => undefined;
  public adapterDescriptor = (): Adapter => Adapter.fromPartial({ id: 'fake' });
  public deviceTypes = (): DeviceTypes =>
    DeviceTypes.fromPartial({ items: [{ id: 'fake_type', adapter: 'fake', acceptsBulkFlowUpdate: true }] });
  public health = async (): Promise<HealthStatus> => HealthStatus.fromPartial({});
  public adoptDevice = this.record('adopt');
  public reconcileDevice = this.record('reconcile');
  public abandonDevice = this.record('abandon');
  public disableDevice = this.record('disable');
  public reenableDevice = this.record('reenable');
  public rebootDevice = this.record('reboot');
  public deleteDevice = this.record('delete');
  public updateFlowsBulk = this.record('flows');
  public updateFlowsIncrementally = this.record('flow-changes');
  public updatePmConfig = this.record('pm');
  public sendProxiedMessage = async (): Promise<void> => undefined;
  public receiveProxiedMessage = async (): Promise<void> => undefined;
  public receivePacketOut = async (): Promise<void> => undefined;
}

const device = (id: string, adminState: AdminState, extra: DeepPartial<Device> = {}): Device =>
  Device.fromPartial({ id, type: 'fake_type', adminState, operStatus: OperStatus.ACTIVE, ...extra });

const flow = (id: string): ofpFlowStats => ofpFlowStats.fromPartial({ id, priority: 1 });

let nextSeq = 0;
const event = (
  seq: number,
  type: SourcedEvent['type'],
  path: string,
  message: UnknownMessage,
  origin = 'nbi'
): SourcedEvent => ({
  type,
  path,
  seq,
  typeName: message.$type,
  message,
  key: path.split('/')[2] ?? '',
  origin,
  hash: '',
  rootHash: '',
  timestamp: ++nextSeq
});

/** The tree core-config would answer with: snapshots at a seq; no other reads or writes are expected. */
function fakeCore(): { client: ConfigClient; tree: { devices: Device[]; seq: number } } {
  const tree = { devices: [] as Device[], seq: 0 };
  const client = {
    openTransaction: async () => 'tx',
    commitTransaction: async () => ({ rootHash: `h${tree.seq}`, seq: tree.seq, assignedId: '' }),
    cancelTransaction: async () => undefined,
    getList: async (path: string) => (path === '/devices' ? tree.devices : [])
  } as unknown as ConfigClient;
  return { client, tree };
}

async function setup(devices: Device[], seq: number) {
  const { client, tree } = fakeCore();
  tree.devices = devices;
  tree.seq = seq;
  const gateway = new CoreGateway(client, new TreeIndex(), { retries: 0, logger: quiet });
  const host = new AdapterHost(gateway, { logger: quiet, telemetry: new Telemetry(quiet), checkGaps: true });
  const adapter = new RecordingAdapter();
  host.host('fake', () => adapter);
  expect(await host.onResync('start')).toBe(seq);
  await host.idle();
  return { host, adapter, tree };
}

describe('AdapterHost', () => {
  it('reconciles the adopted devices at start (not the pre-provisioned ones) and pushes their flow tables again', async () => {
    const { adapter } = await setup(
      [
        device('a', AdminState.ENABLED, { flows: { items: [flow('1'), flow('2')] } }),
        device('b', AdminState.PREPROVISIONED),
        device('c', AdminState.DISABLED),
        Device.fromPartial({ id: 'x', type: 'other_type', adminState: AdminState.ENABLED })
      ],
      10
    );
    expect(adapter.calls).toEqual(['reconcile a', 'reconcile c', 'flows a 2']);
  });

  it('turns admin-state changes into adapter calls, except the adapter’s own changes', async () => {
    const { host, adapter } = await setup([device('a', AdminState.ENABLED)], 10);
    await host.onBatch([
      event(11, 'update', '/devices/a', device('a', AdminState.DISABLED), 'adapter-agent/fake'),
      event(12, 'update', '/devices/a', device('a', AdminState.ENABLED)),
      event(13, 'update', '/devices/a', device('a', AdminState.DISABLED), 'rest-gateway')
    ]);
    await host.idle();
    expect(adapter.calls).toEqual(['reconcile a', 'reenable a', 'disable a']);
  });

  it('sends the flow changes of one batch as one bulk update per device', async () => {
    const { host, adapter } = await setup([device('a', AdminState.ENABLED)], 10);
    adapter.calls.length = 0;
    await host.onBatch([
      event(11, 'add', '/devices/a/flows/items/1', flow('1')),
      event(11, 'add', '/devices/a/flows/items/2', flow('2')),
      event(12, 'add', '/devices/a/flows/items/3', flow('3')),
      event(13, 'remove', '/devices/a/flows/items/1', flow('1'))
    ]);
    await host.idle();
    expect(adapter.calls).toEqual(['flows a 2']);
    // the same events again (a re-opened stream) change nothing
    await host.onBatch([event(13, 'remove', '/devices/a/flows/items/1', flow('1'))]);
    await host.idle();
    expect(adapter.calls).toEqual(['flows a 2']);
  });

  it('re-reads the tree when events are missing and dispatches the differences', async () => {
    const { host, adapter, tree } = await setup(
      [device('a', AdminState.ENABLED), device('b', AdminState.ENABLED)],
      10
    );
    adapter.calls.length = 0;
    // 11..14 were lost: meanwhile b was removed and a disabled
    tree.devices = [device('a', AdminState.DISABLED)];
    tree.seq = 14;
    await host.onBatch([
      event(15, 'add', '/devices/c', device('c', AdminState.ENABLED, { operStatus: OperStatus.ACTIVATING }))
    ]);
    await host.idle();
    expect(adapter.calls.sort()).toEqual(['adopt c', 'delete b', 'disable a']);
    // events the new read covers are skipped
    await host.onBatch([event(14, 'update', '/devices/a', device('a', AdminState.ENABLED))]);
    await host.idle();
    expect(adapter.calls).toHaveLength(3);
  });
});
