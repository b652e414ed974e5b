import type { ConfigRoot } from '@voltha/config-tree';
import {
  addressKeyOf,
  checkDelete,
  checkDeviceId,
  checkReboot,
  invalid,
  logicalDeviceIdentity,
  newDeviceId,
  planDisable,
  planEnable,
  precondition,
  prepareNewDevice,
  switchNumberOf
} from '@voltha/device-lifecycle';
import { Device, DeviceType, LogicalDevice } from '@voltha/proto';

import type { ChangeEvent } from '../events/event-hub';
import { orNotFound } from '../tree/not-found';

/** Something that can reboot a device: the adapter-agent hosting its adapter. */
export interface AdapterCaller {
  rebootDevice(adapterId: string, device: Device): Promise<void>;
}

/**
 * Device and logical-device rules of the core over the tree: identity (ids the core assigns),
 * CreateDevice validation with one device per address, the NBI admin-state preconditions, and the
 * writes that go with them (a disable also clears the device's flow tables, in one transaction).
 */
export class DevicesService {
  /** address key -> device id, for "one device per address" (kept from change events). */
  private readonly byAddress = new Map<string, string>();
  private readonly addressOf = new Map<string, string>();
  private nextSwitch = 1n;

  public constructor(
    private readonly root: ConfigRoot,
    private readonly coreStoreId: string,
    private readonly adapters?: AdapterCaller
  ) {}

  /** Builds the address index and the next switch number from the loaded tree (once, at start). */
  public async init(): Promise<void> {
    for (const d of await this.root.getList<Device>('/devices')) this.index(d);
    for (const ld of await this.root.getList<LogicalDevice>('/logical_devices')) {
      const n = switchNumberOf(this.coreStoreId, ld.id);
      if (n !== undefined && n >= this.nextSwitch) this.nextSwitch = n + 1n;
    }
  }

  /** Keeps the address index in step with every committed device change. */
  public onEvent(e: ChangeEvent): void {
    if (e.typeName !== 'voltha.Device' || !/^\/devices\/[^/]+$/.test(e.path)) return;
    const device = e.message as Device;
    if (e.type === 'remove') this.unindex(device.id);
    else this.index(device);
  }

  public async getDevice(id: string, depth = 0): Promise<Device> {
    checkDeviceId(id);
    return orNotFound(`device ${id}`, () => this.root.getNode<Device>(`/devices/${id}`, { depth }));
  }

  public async createDevice(request: Device): Promise<Device> {
    const type = request.type
      ? await this.root.getNode<DeviceType>(`/device_types/${request.type}`).catch(() => undefined)
      : undefined;
    const id = newDeviceId(this.coreStoreId);
    const device = prepareNewDevice(request, type, id);
    const address = addressKeyOf(device);
    if (address && this.byAddress.has(address)) {
      throw invalid(
        `a device at ${address.replace(/^[a-z0-9]+:/, '')} already exists: ${this.byAddress.get(address)}`
      );
    }
    await this.root.add('/devices', device);
    return this.root.getNode<Device>(`/devices/${id}`);
  }

  public async enableDevice(id: string): Promise<void> {
    const device = await this.getDevice(id);
    const change = planEnable(device);
    await this.root.update(
      `/devices/${id}`,
      Device.fromPartial({
        ...device,
        adminState: change.adminState,
        operStatus: change.operStatus ?? device.operStatus
      })
    );
  }

  public async disableDevice(id: string): Promise<void> {
    const device = await this.getDevice(id);
    const change = planDisable(device);
    const tx = this.root.openTransaction();
    try {
      await tx.update(`/devices/${id}`, Device.fromPartial({ ...device, adminState: change.adminState }));
      if (change.clearFlows) await this.clearDeviceFlows(id, tx.txid);
      await tx.commit();
    } catch (e) {
      if (tx.isOpen) tx.cancel();
      throw e;
    }
  }

  public async rebootDevice(id: string): Promise<void> {
    const device = await this.getDevice(id);
    checkReboot(device);
    if (!this.adapters) throw precondition(`no adapter can be reached to reboot device ${id}`);
    await this.adapters.rebootDevice(device.adapter, device);
  }

  public async deleteDevice(id: string): Promise<void> {
    const device = await this.getDevice(id);
    checkDelete(device);
    await this.root.remove(`/devices/${id}`);
  }

  /** Identity for a logical device the core creates on an adapter's behalf. */
  public allocateLogicalDevice(): { id: string; datapathId: string } {
    const identity = logicalDeviceIdentity(this.coreStoreId, this.nextSwitch);
    this.nextSwitch++;
    return identity;
  }

  public newDeviceId(): string {
    return newDeviceId(this.coreStoreId);
  }

  private async clearDeviceFlows(id: string, txid: string): Promise<void> {
    const flows = await this.root.getList<{ id: string; $type: string }>(`/devices/${id}/flows/items`, {
      txid
    });
    for (const f of flows) await this.root.remove(`/devices/${id}/flows/items/${f.id}`, { txid });
    const groups = await this.root.getNode(`/devices/${id}/flow_groups`, { txid }).catch(() => undefined);
    if (groups && (groups as { items?: unknown[] }).items?.length) {
      await this.root.update(`/devices/${id}/flow_groups`, { ...groups, items: [] } as never, { txid });
    }
  }

  private index(d: Device): void {
    this.unindex(d.id);
    const key = addressKeyOf(d);
    if (!key) return;
    this.byAddress.set(key, d.id);
    this.addressOf.set(d.id, key);
  }

  private unindex(id: string): void {
    const key = this.addressOf.get(id);
    if (key === undefined) return;
    this.addressOf.delete(id);
    if (this.byAddress.get(key) === id) this.byAddress.delete(key);
  }
}
