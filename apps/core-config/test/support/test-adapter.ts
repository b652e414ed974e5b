import { Adapter, Device, DeviceType, LogicalDevice, LogicalPort, Port, toWireAny } from '@voltha/proto';
import type { UnknownMessage } from '@voltha/proto';
import type { GrpcCaller } from '@voltha/testing';

import { decodeAny } from './core-config-fixture';

const ORIGIN = 'test-adapter';
const any = (m: UnknownMessage) => toWireAny(m);

/**
 * A minimal adapter that a test registers through ConfigService: it declares the `test_olt` device
 * type and, when the core moves one of its devices to ENABLED/ACTIVATING, brings it up as 1.x's
 * simulated OLT does (ports 1 PON / 2 NNI, a logical device with the NNI logical port 129, oper
 * ACTIVE, connect REACHABLE) in one transaction.
 */
export class TestAdapter {
  private watch: (NodeJS.ReadableStream & { cancel(): void }) | undefined;
  public readonly activated: string[] = [];

  public constructor(private readonly config: GrpcCaller) {}

  public async register(): Promise<void> {
    await this.config.call('Add', {
      path: '/adapters',
      data: any(Adapter.fromPartial({ id: 'test_adapter', vendor: 'tests', version: '1' })),
      origin: ORIGIN
    });
    await this.config.call('Add', {
      path: '/device_types',
      data: any(
        DeviceType.fromPartial({
          id: 'test_olt',
          adapter: 'test_adapter',
          acceptsBulkFlowUpdate: true,
          vendorId: 'TEST'
        })
      ),
      origin: ORIGIN
    });
    this.watch = this.config.stream('Watch', { pathPrefix: '/devices/', fromSeq: '0' });
    this.watch.on(
      'data',
      (e: { type: number; origin: string; message: { type_url: string; value: Buffer } }) => {
        if (e.origin === ORIGIN || e.type !== 2) return;
        const d = decodeAny<Device>(e.message);
        if (
          d.$type === 'voltha.Device' &&
          d.type === 'test_olt' &&
          d.adminState === 3 &&
          d.operStatus === 2
        ) {
          void this.activate(d).catch((err: Error) => process.stderr.write(`test adapter: ${err.message}\n`));
        }
      }
    );
    this.watch.on('error', () => undefined);
  }

  public stop(): void {
    this.watch?.cancel();
  }

  private async activate(device: Device): Promise<void> {
    const { txid } = await this.config.call<{ txid: string }>('OpenTransaction', {});
    const add = (path: string, m: UnknownMessage) =>
      this.config.call<{ assignedId: string }>('Add', { path, data: any(m), txid });
    await add(
      `/devices/${device.id}/ports`,
      Port.fromPartial({
        portNo: 1,
        label: 'PON port',
        type: 3,
        adminState: 3,
        operStatus: 4,
        deviceId: device.id
      })
    );
    await add(
      `/devices/${device.id}/ports`,
      Port.fromPartial({
        portNo: 2,
        label: 'NNI facing Ethernet port',
        type: 1,
        adminState: 3,
        operStatus: 4,
        deviceId: device.id
      })
    );
    const { assignedId } = await add(
      '/logical_devices',
      LogicalDevice.fromPartial({ rootDeviceId: device.id, desc: { mfrDesc: 'tests' } })
    );
    await add(
      `/logical_devices/${assignedId}/ports`,
      LogicalPort.fromPartial({
        id: 'nni',
        ofpPort: { portNo: 129, name: 'nni', state: 4 },
        deviceId: device.id,
        devicePortNo: 2,
        rootPort: true
      })
    );
    await this.config.call('Update', {
      path: `/devices/${device.id}`,
      data: any(
        Device.fromPartial({
          ...device,
          root: true,
          parentId: assignedId,
          operStatus: 4,
          connectStatus: 2,
          serialNumber: 'TEST0001'
        })
      ),
      txid
    });
    await this.config.call('CommitTransaction', { txid, origin: ORIGIN });
    this.activated.push(device.id);
  }
}
