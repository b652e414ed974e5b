import { Port_PortType } from '@voltha/proto';

/** The parts of a device port the topology reads (the generated `Port` satisfies it). */
export interface TopologyPort {
  readonly portNo: number;
  readonly type: Port_PortType;
  readonly peers: readonly { readonly deviceId: string; readonly portNo: number }[];
}

/** The parts of a device the topology reads (the generated `Device` satisfies it). */
export interface TopologyDevice {
  readonly id: string;
  readonly root: boolean;
  readonly ports: readonly TopologyPort[];
}

/** The parts of a logical port the topology reads (the generated `LogicalPort` satisfies it). */
export interface TopologyLogicalPort {
  readonly ofpPort: { readonly portNo: number } | undefined;
  readonly deviceId: string;
  readonly devicePortNo: number;
  readonly rootPort: boolean;
}

export interface TopologyInput {
  /** The OLT: `LogicalDevice.root_device_id`. */
  readonly rootDeviceId: string;
  readonly logicalPorts: Iterable<TopologyLogicalPort>;
  /** The OLT and its ONUs, each with its ports and their peers. */
  readonly devices: Iterable<TopologyDevice>;
}

/** One device crossed by a route: packets enter on `ingress` and leave on `egress` (device ports). */
export interface Hop {
  readonly deviceId: string;
  readonly ingress: number;
  readonly egress: number;
}

/** A route between two logical ports: always two hops, `[ingressHop, egressHop]`. */
export type Route = readonly [Hop, Hop];

/** Where a UNI logical port sits: its ONU, the ONU's PON port and the OLT PON port it hangs off. */
export interface UniAttachment {
  readonly uni: number;
  readonly onuId: string;
  readonly uniDevicePort: number;
  readonly onuPonPort: number;
  readonly oltId: string;
  readonly oltPonPort: number;
}

export interface NniInfo {
  readonly nni: number;
  readonly deviceId: string;
  readonly devicePort: number;
}

/** What a topology update affected; the decomposition engine re-evaluates the dependent flows. */
export interface TopologyChange {
  /** Logical ports whose existence, role or routes changed. */
  readonly ports: ReadonlySet<number>;
  /** The set of NNIs (or the default NNI) changed. */
  readonly nnisChanged: boolean;
  /** The set of attached UNIs (or the default downstream UNI) changed. */
  readonly unisChanged: boolean;
}

interface DeviceState {
  readonly id: string;
  readonly root: boolean;
  readonly ports: Map<number, TopologyPort>;
}

interface LogicalPortState {
  readonly portNo: number;
  readonly deviceId: string;
  readonly devicePortNo: number;
  readonly root: boolean;
}

const sameAttachment = (a: UniAttachment | undefined, b: UniAttachment | undefined): boolean =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.onuId === b.onuId &&
    a.uniDevicePort === b.uniDevicePort &&
    a.onuPonPort === b.onuPonPort &&
    a.oltId === b.oltId &&
    a.oltPonPort === b.oltPonPort);

class ChangeBuilder {
  public readonly ports = new Set<number>();
  public nnisChanged = false;
  public unisChanged = false;
  public build(): TopologyChange {
    return { ports: this.ports, nnisChanged: this.nnisChanged, unisChanged: this.unisChanged };
  }
}

/**
 * The routing view of one logical device (VOLTHA 2.x model, flow-decomposer.md §1.4): routes are
 * built directly from the logical ports and the device ports' peers, never by graph search.
 * Every (NNI, attached UNI) pair has a materialised downstream and upstream route, so
 * `route(in, out)` is one map lookup; `#routes = 2 × #NNI × #attached UNI`.
 *
 * A UNI is attached when its logical port's device exists, has a PON_ONU port (the lowest-numbered
 * one with a peer on the root device; else the root's PON_OLT peer lists are consulted) and that
 * peer is a port of the root device. Unattached UNIs are known but have no routes.
 *
 * Every mutator returns a {@link TopologyChange}; ONU-level updates are O(UNIs of that ONU × NNIs),
 * NNI additions O(UNIs), changes to the root device (OLT) re-check every UNI.
 */
export class Topology {
  private readonly devices = new Map<string, DeviceState>();
  private readonly logical = new Map<number, LogicalPortState>();
  private readonly nnis = new Map<number, NniInfo>();
  private readonly unis = new Map<number, UniAttachment | undefined>();
  private readonly unisByDevice = new Map<string, Set<number>>();
  /** ONU id → [oltPonPort, onuPonPort] pairs learnt from the root device's PON_OLT peer lists. */
  private readonly rootPeers = new Map<string, [number, number][]>();
  private readonly routes = new Map<number, Map<number, Route>>();
  private routeTotal = 0;
  private sortedNnis: number[] | undefined;
  private sortedUnis: number[] | undefined;
  private defaultUniCache: number | null | undefined;

  public constructor(private rootId: string) {}

  /** Builds the view in one pass (routes for every NNI × attached UNI). */
  public static build(input: TopologyInput): Topology {
    const t = new Topology(input.rootDeviceId);
    for (const d of input.devices) t.storeDevice(d);
    for (const lp of input.logicalPorts) t.addLogicalPort(lp);
    return t;
  }

  public get rootDeviceId(): string {
    return this.rootId;
  }

  public get routeCount(): number {
    return this.routeTotal;
  }

  /** The route between two logical ports, or undefined (O(1)). */
  public route(ingress: number, egress: number): Route | undefined {
    return this.routes.get(ingress)?.get(egress);
  }

  public isNni(port: number): boolean {
    return this.nnis.has(port);
  }

  public isUni(port: number): boolean {
    return this.unis.has(port);
  }

  public nni(port: number): NniInfo | undefined {
    return this.nnis.get(port);
  }

  /** The attachment of a UNI, undefined when unknown or not attached. */
  public uniAttachment(port: number): UniAttachment | undefined {
    return this.unis.get(port);
  }

  public hasDevice(deviceId: string): boolean {
    return this.devices.has(deviceId);
  }

  /** NNI logical port numbers, ascending. */
  public nniPorts(): readonly number[] {
    return (this.sortedNnis ??= [...this.nnis.keys()].sort((a, b) => a - b));
  }

  /** Attached UNI logical port numbers, ascending. */
  public uniPorts(): readonly number[] {
    return (this.sortedUnis ??= [...this.unis.entries()]
      .filter(([, a]) => a !== undefined)
      .map(([p]) => p)
      .sort((a, b) => a - b));
  }

  /** The NNI used when a rule needs "some NNI" (UNI traps, multicast without in_port): the lowest. */
  public defaultNni(): number | undefined {
    return this.nniPorts()[0];
  }

  /**
   * The UNI whose route stands for a downstream flow that names no egress (1.x/2.x took the first
   * route of an unordered map): the attached UNI on the lowest-numbered OLT PON port, lowest UNI
   * number first.
   */
  public defaultDownstreamUni(): number | undefined {
    if (this.defaultUniCache === undefined) {
      let best: UniAttachment | undefined;
      for (const a of this.unis.values()) {
        if (a === undefined) continue;
        if (
          best === undefined ||
          a.oltPonPort < best.oltPonPort ||
          (a.oltPonPort === best.oltPonPort && a.uni < best.uni)
        )
          best = a;
      }
      this.defaultUniCache = best === undefined ? null : best.uni;
    }
    return this.defaultUniCache ?? undefined;
  }

  // ----------------------------------------------------------------------------------------------
  // Mutators
  // ----------------------------------------------------------------------------------------------

  /** Adds or updates a logical port (NNI when `rootPort`, UNI otherwise). */
  public addLogicalPort(lp: TopologyLogicalPort): TopologyChange {
    const c = new ChangeBuilder();
    const portNo = lp.ofpPort?.portNo ?? 0;
    if (this.logical.has(portNo)) this.dropLogicalPort(portNo, c);
    const state: LogicalPortState = {
      portNo,
      deviceId: lp.deviceId,
      devicePortNo: lp.devicePortNo,
      root: lp.rootPort
    };
    this.logical.set(portNo, state);
    c.ports.add(portNo);
    if (state.root) {
      const info: NniInfo = { nni: portNo, deviceId: lp.deviceId, devicePort: lp.devicePortNo };
      this.nnis.set(portNo, info);
      this.sortedNnis = undefined;
      c.nnisChanged = true;
      for (const a of this.unis.values()) if (a !== undefined) this.addRoutePair(info, a);
    } else {
      let s = this.unisByDevice.get(lp.deviceId);
      if (s === undefined) this.unisByDevice.set(lp.deviceId, (s = new Set()));
      s.add(portNo);
      const a = this.attach(state);
      this.unis.set(portNo, a);
      if (a !== undefined) {
        this.invalidateUnis(c);
        for (const n of this.nnis.values()) this.addRoutePair(n, a);
      }
    }
    return c.build();
  }

  public removeLogicalPort(portNo: number): TopologyChange {
    const c = new ChangeBuilder();
    this.dropLogicalPort(portNo, c);
    return c.build();
  }

  /** Adds or replaces a device with its ports; UNIs on it (or, for the OLT, every UNI) are re-attached. */
  public upsertDevice(device: TopologyDevice): TopologyChange {
    this.storeDevice(device);
    return this.reattachFor(device.id);
  }

  public removeDevice(deviceId: string): TopologyChange {
    const d = this.devices.get(deviceId);
    if (d === undefined) return new ChangeBuilder().build();
    if (d.root || deviceId === this.rootId) this.rootPeers.clear();
    this.devices.delete(deviceId);
    return this.reattachFor(deviceId);
  }

  /** Adds or replaces one port of a known device (e.g. a peer list changed). */
  public upsertDevicePort(deviceId: string, port: TopologyPort): TopologyChange {
    const d = this.devices.get(deviceId);
    if (d === undefined) return new ChangeBuilder().build();
    d.ports.set(port.portNo, port);
    if (deviceId === this.rootId) this.rebuildRootPeers();
    return this.reattachFor(deviceId);
  }

  public removeDevicePort(deviceId: string, portNo: number): TopologyChange {
    const d = this.devices.get(deviceId);
    if (d === undefined || !d.ports.delete(portNo)) return new ChangeBuilder().build();
    if (deviceId === this.rootId) this.rebuildRootPeers();
    return this.reattachFor(deviceId);
  }

  // ----------------------------------------------------------------------------------------------

  private storeDevice(device: TopologyDevice): void {
    const ports = new Map<number, TopologyPort>();
    for (const p of device.ports) ports.set(p.portNo, p);
    this.devices.set(device.id, { id: device.id, root: device.root, ports });
    if (device.id === this.rootId) this.rebuildRootPeers();
  }

  private rebuildRootPeers(): void {
    this.rootPeers.clear();
    const root = this.devices.get(this.rootId);
    if (root === undefined) return;
    const oltPons = [...root.ports.values()]
      .filter((p) => p.type === Port_PortType.PON_OLT)
      .sort((a, b) => a.portNo - b.portNo);
    for (const p of oltPons) {
      for (const peer of p.peers) {
        let list = this.rootPeers.get(peer.deviceId);
        if (list === undefined) this.rootPeers.set(peer.deviceId, (list = []));
        list.push([p.portNo, peer.portNo]);
      }
    }
  }

  private attach(lp: LogicalPortState): UniAttachment | undefined {
    const onu = this.devices.get(lp.deviceId);
    const root = this.devices.get(this.rootId);
    if (onu === undefined || root === undefined || !onu.ports.has(lp.devicePortNo)) return undefined;
    let best: [number, number] | undefined; // [onuPon, oltPon]
    for (const p of onu.ports.values()) {
      if (p.type !== Port_PortType.PON_ONU) continue;
      for (const peer of p.peers) {
        if (peer.deviceId !== this.rootId || root.ports.get(peer.portNo)?.type !== Port_PortType.PON_OLT)
          continue;
        if (best === undefined || p.portNo < best[0]) best = [p.portNo, peer.portNo];
      }
    }
    if (best === undefined) {
      for (const [oltPon, onuPon] of this.rootPeers.get(lp.deviceId) ?? []) {
        if (onu.ports.get(onuPon)?.type !== Port_PortType.PON_ONU) continue;
        if (best === undefined || onuPon < best[0]) best = [onuPon, oltPon];
      }
    }
    if (best === undefined) return undefined;
    return {
      uni: lp.portNo,
      onuId: onu.id,
      uniDevicePort: lp.devicePortNo,
      onuPonPort: best[0],
      oltId: this.rootId,
      oltPonPort: best[1]
    };
  }

  private reattachFor(deviceId: string): TopologyChange {
    const c = new ChangeBuilder();
    const ports =
      deviceId === this.rootId ? [...this.unis.keys()] : [...(this.unisByDevice.get(deviceId) ?? [])];
    for (const p of ports) {
      const lp = this.logical.get(p) as LogicalPortState;
      const before = this.unis.get(p);
      const after = this.attach(lp);
      if (sameAttachment(before, after)) continue;
      if (before !== undefined) this.removeRoutesOf(p);
      this.unis.set(p, after);
      if (after !== undefined) for (const n of this.nnis.values()) this.addRoutePair(n, after);
      c.ports.add(p);
      this.invalidateUnis(c);
    }
    return c.build();
  }

  private dropLogicalPort(portNo: number, c: ChangeBuilder): void {
    const lp = this.logical.get(portNo);
    if (lp === undefined) return;
    this.logical.delete(portNo);
    c.ports.add(portNo);
    this.removeRoutesOf(portNo);
    if (lp.root) {
      this.nnis.delete(portNo);
      this.sortedNnis = undefined;
      c.nnisChanged = true;
    } else {
      const wasAttached = this.unis.get(portNo) !== undefined;
      this.unis.delete(portNo);
      this.unisByDevice.get(lp.deviceId)?.delete(portNo);
      if (wasAttached) this.invalidateUnis(c);
    }
  }

  private invalidateUnis(c: ChangeBuilder): void {
    this.sortedUnis = undefined;
    this.defaultUniCache = undefined;
    c.unisChanged = true;
  }

  private setRoute(from: number, to: number, r: Route): void {
    let m = this.routes.get(from);
    if (m === undefined) this.routes.set(from, (m = new Map()));
    if (!m.has(to)) this.routeTotal++;
    m.set(to, r);
  }

  private addRoutePair(n: NniInfo, a: UniAttachment): void {
    const olt: Hop = { deviceId: n.deviceId, ingress: n.devicePort, egress: a.oltPonPort };
    const onu: Hop = { deviceId: a.onuId, ingress: a.onuPonPort, egress: a.uniDevicePort };
    this.setRoute(n.nni, a.uni, [olt, onu]);
    this.setRoute(a.uni, n.nni, [
      { deviceId: a.onuId, ingress: a.uniDevicePort, egress: a.onuPonPort },
      { deviceId: n.deviceId, ingress: a.oltPonPort, egress: n.devicePort }
    ]);
  }

  /** Removes every route from or to a logical port. */
  private removeRoutesOf(port: number): void {
    const out = this.routes.get(port);
    if (out === undefined) return;
    for (const to of out.keys()) {
      const back = this.routes.get(to);
      if (back?.delete(port) === true) {
        this.routeTotal--;
        if (back.size === 0) this.routes.delete(to);
      }
    }
    this.routeTotal -= out.size;
    this.routes.delete(port);
  }
}
