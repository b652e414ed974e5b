import {
  Adapter,
  Device,
  DeviceType,
  fromAny,
  LogicalDevice,
  LogicalPort,
  Port,
  toWireAny
} from '@voltha/proto';
import type { AnyLike, UnknownMessage } from '@voltha/proto';
import type { GrpcCaller } from '@voltha/testing';

const ORIGIN = 'test-adapter';
const any = (m: UnknownMessage) => toWireAny(m);

const PON_OLT = 3;
const PON_ONU = 4;
const ETHERNET_NNI = 1;
const ETHERNET_UNI = 2;
const ENABLED = 3;
const ACTIVATING = 2;
const ACTIVE = 4;
const REACHABLE = 2;
const LIVE = 4;

export interface PonAdapterOptions {
  /** PON ports of each OLT (device ports 1..pons; the NNI is device port pons + 1). */
  readonly pons?: number;
  readonly onusPerPon?: number;
  /** Logical port number of the first UNI (then consecutive); the NNI is logical port 129. */
  readonly uniBase?: number;
  /** ONUs created per transaction. */
  readonly onusPerTransaction?: number;
}

export interface OnuInfo {
  readonly id: string;
  readonly pon: number;
  readonly index: number;
  /** Logical port number of its UNI. */
  readonly uni: number;
  readonly serial: string;
}

export interface OltInfo {
  readonly id: string;
  readonly ldId: string;
  readonly nni: number;
  readonly onus: OnuInfo[];
}

export const NNI_LOGICAL_PORT = 129;
export const ONU_PON_PORT = 1;
export const ONU_UNI_PORT = 2;

/**
 * A test adapter that builds a PON through ConfigService, as an OLT adapter and its ONU adapter
 * would: when the core moves a `test_olt` device to ENABLED/ACTIVATING, it adds the OLT's ports
 * (PON_OLT 1..n, NNI n+1), the logical device with the NNI logical port 129, marks the OLT ACTIVE,
 * then creates the ONUs: each a `test_onu` device (child of the OLT) with a PON_ONU port 1 peered to
 * its OLT PON port and a UNI port 2, plus its UNI logical port (`uni-<n>`, port n). ONUs can be
 * removed and brought back (same id) to change the topology.
 */
export class PonTestAdapter {
  private watch: (NodeJS.ReadableStream & { cancel(): void }) | undefined;
  public readonly olts = new Map<string, OltInfo>();
  private readonly waiters = new Map<string, (o: OltInfo) => void>();
  private readonly pons: number;
  private readonly onusPerPon: number;
  private readonly uniBase: number;
  private readonly perTx: number;

  public constructor(
    private readonly config: GrpcCaller,
    options: PonAdapterOptions = {}
  ) {
    this.pons = options.pons ?? 1;
    this.onusPerPon = options.onusPerPon ?? 4;
    this.uniBase = options.uniBase ?? 101;
    this.perTx = options.onusPerTransaction ?? 64;
  }

  public async register(): Promise<void> {
    await this.config.call('Add', {
      path: '/adapters',
      data: any(Adapter.fromPartial({ id: 'test_adapter', vendor: 'tests', version: '1' })),
      origin: ORIGIN
    });
    for (const id of ['test_olt', 'test_onu']) {
      await this.config.call('Add', {
        path: '/device_types',
        data: any(DeviceType.fromPartial({ id, adapter: 'test_adapter', acceptsBulkFlowUpdate: true })),
        origin: ORIGIN
      });
    }
    this.watch = this.config.stream('Watch', { pathPrefix: '/devices/', fromSeq: '0' });
    this.watch.on('data', (e: { type: number; origin: string; message: AnyLike }) => {
      if (e.origin === ORIGIN || e.type !== 2) return;
      const d = fromAny<Device>(e.message);
      if (
        d.$type === 'voltha.Device' &&
        d.type === 'test_olt' &&
        d.adminState === ENABLED &&
        d.operStatus === ACTIVATING
      ) {
        void this.activate(d).catch((err: Error) => process.stderr.write(`test adapter: ${err.message}\n`));
      }
    });
    this.watch.on('error', () => undefined);
  }

  public stop(): void {
    this.watch?.cancel();
  }

  /** Resolves when the OLT and all its ONUs are up. */
  public activated(oltId: string): Promise<OltInfo> {
    const done = this.olts.get(oltId);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.waiters.set(oltId, resolve));
  }

  /** The ONU departs: its device (with ports and device flows) is removed; its UNI logical port stays. */
  public async removeOnu(onu: OnuInfo): Promise<void> {
    await this.config.call('Remove', { path: `/devices/${onu.id}`, origin: ORIGIN });
  }

  /** The ONU comes back with the same id and ports. */
  public async restoreOnu(olt: OltInfo, onu: OnuInfo): Promise<void> {
    const txid = await this.open();
    await this.addOnuDevice(olt, onu, txid);
    await this.commit(txid);
  }

  private async open(): Promise<string> {
    return (await this.config.call<{ txid: string }>('OpenTransaction', {})).txid;
  }

  private async commit(txid: string): Promise<void> {
    await this.config.call('CommitTransaction', { txid, origin: ORIGIN });
  }

  private add(path: string, m: UnknownMessage, txid: string): Promise<{ assignedId: string }> {
    return this.config.call<{ assignedId: string }>('Add', { path, data: any(m), txid });
  }

  private async activate(device: Device): Promise<void> {
    const txid = await this.open();
    const nniDevicePort = this.pons + 1;
    for (let p = 1; p <= this.pons; p++) {
      await this.add(
        `/devices/${device.id}/ports`,
        Port.fromPartial({
          portNo: p,
          label: `PON port ${p}`,
          type: PON_OLT,
          adminState: ENABLED,
          operStatus: ACTIVE,
          deviceId: device.id
        }),
        txid
      );
    }
    await this.add(
      `/devices/${device.id}/ports`,
      Port.fromPartial({
        portNo: nniDevicePort,
        label: 'NNI facing Ethernet port',
        type: ETHERNET_NNI,
        adminState: ENABLED,
        operStatus: ACTIVE,
        deviceId: device.id
      }),
      txid
    );
    const { assignedId: ldId } = await this.add(
      '/logical_devices',
      LogicalDevice.fromPartial({ rootDeviceId: device.id, desc: { mfrDesc: 'tests' } }),
      txid
    );
    await this.add(
      `/logical_devices/${ldId}/ports`,
      LogicalPort.fromPartial({
        id: 'nni',
        ofpPort: { portNo: NNI_LOGICAL_PORT, name: 'nni', state: LIVE },
        deviceId: device.id,
        devicePortNo: nniDevicePort,
        rootPort: true
      }),
      txid
    );
    await this.config.call('Update', {
      path: `/devices/${device.id}`,
      data: any(
        Device.fromPartial({
          ...device,
          root: true,
          parentId: ldId,
          operStatus: ACTIVE,
          connectStatus: REACHABLE,
          serialNumber: `OLT${device.id.slice(-4)}`
        })
      ),
      txid
    });
    await this.commit(txid);

    const olt: OltInfo = { id: device.id, ldId, nni: NNI_LOGICAL_PORT, onus: [] };
    const planned: Array<{ pon: number; index: number }> = [];
    for (let p = 1; p <= this.pons; p++)
      for (let i = 0; i < this.onusPerPon; i++) planned.push({ pon: p, index: i });
    for (let k = 0; k < planned.length; k += this.perTx) {
      const tx = await this.open();
      for (const { pon, index } of planned.slice(k, k + this.perTx)) {
        const n = olt.onus.length;
        const onu: OnuInfo = {
          id: '',
          pon,
          index,
          uni: this.uniBase + n,
          serial: `ONU${String(n).padStart(5, '0')}`
        };
        const id = await this.addOnuDevice(olt, onu, tx);
        olt.onus.push({ ...onu, id });
        await this.add(
          `/logical_devices/${ldId}/ports`,
          LogicalPort.fromPartial({
            id: `uni-${onu.uni}`,
            ofpPort: { portNo: onu.uni, name: `uni-${onu.uni}`, state: LIVE },
            deviceId: id,
            devicePortNo: ONU_UNI_PORT,
            rootPort: false
          }),
          tx
        );
      }
      await this.commit(tx);
    }
    this.olts.set(device.id, olt);
    this.waiters.get(device.id)?.(olt);
    this.waiters.delete(device.id);
  }

  /** Adds an ONU device (with the given id, or a new one) and its two ports; returns its id. */
  private async addOnuDevice(olt: OltInfo, onu: OnuInfo, txid: string): Promise<string> {
    const vlan = 100 + olt.onus.length;
    const { assignedId } = await this.add(
      '/devices',
      Device.fromPartial({
        id: onu.id,
        type: 'test_onu',
        adapter: 'test_adapter',
        root: false,
        parentId: olt.id,
        parentPortNo: onu.pon,
        serialNumber: onu.serial,
        vlan,
        proxyAddress: { deviceId: olt.id, channelId: vlan },
        adminState: ENABLED,
        operStatus: ACTIVE,
        connectStatus: REACHABLE
      }),
      txid
    );
    const id = assignedId || onu.id;
    await this.add(
      `/devices/${id}/ports`,
      Port.fromPartial({
        portNo: ONU_PON_PORT,
        label: 'PON port',
        type: PON_ONU,
        adminState: ENABLED,
        operStatus: ACTIVE,
        deviceId: id,
        peers: [{ deviceId: olt.id, portNo: onu.pon }]
      }),
      txid
    );
    await this.add(
      `/devices/${id}/ports`,
      Port.fromPartial({
        portNo: ONU_UNI_PORT,
        label: 'UNI facing Ethernet port',
        type: ETHERNET_UNI,
        adminState: ENABLED,
        operStatus: ACTIVE,
        deviceId: id
      }),
      txid
    );
    return id;
  }
}
