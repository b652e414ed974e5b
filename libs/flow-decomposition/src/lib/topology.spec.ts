import { Port_PortType } from '@voltha/proto';

import {
  OLT_ID,
  buildPon,
  nniPort,
  oltNniDevicePort,
  oltPonDevicePort,
  onuDevice,
  onuId,
  onuUniDevicePort,
  port,
  uniLogicalPorts,
  uniPort,
  ONU_PON_DEVICE_PORT,
  logicalPort
} from '../../test/fixtures';
import { Topology } from './topology';

const spec = { nnis: 2, pons: 2, onusPerPon: 2, unisPerOnu: 2 };

describe('Topology', () => {
  it('should build 2 × NNI × UNI routes with OLT and ONU hops in device port numbers', () => {
    const t = Topology.build(buildPon(spec));
    expect(t.routeCount).toBe(2 * 2 * 8);
    const uni = uniPort(spec, 1, 0, 1);
    expect(t.route(nniPort(1), uni)).toEqual([
      { deviceId: OLT_ID, ingress: oltNniDevicePort(1), egress: oltPonDevicePort(1) },
      { deviceId: onuId(1, 0), ingress: ONU_PON_DEVICE_PORT, egress: onuUniDevicePort(1) }
    ]);
    expect(t.route(uni, nniPort(1))).toEqual([
      { deviceId: onuId(1, 0), ingress: onuUniDevicePort(1), egress: ONU_PON_DEVICE_PORT },
      { deviceId: OLT_ID, ingress: oltPonDevicePort(1), egress: oltNniDevicePort(1) }
    ]);
    expect(t.route(nniPort(0), nniPort(1))).toBeUndefined();
    expect(t.route(uni, uniPort(spec, 0, 0, 0))).toBeUndefined();
  });

  // R3 (device_route_test.go): 2 NNI × 8 PON × 256 ONU × 4 UNI.
  it('should build the 32768 routes of R3', () => {
    const t = Topology.build(buildPon({ nnis: 2, pons: 8, onusPerPon: 256, unisPerOnu: 4 }));
    expect(t.routeCount).toBe(32768);
  });

  it('should pick the lowest NNI and the UNI on the lowest PON as defaults', () => {
    const t = Topology.build(buildPon(spec));
    expect(t.defaultNni()).toBe(nniPort(0));
    expect(t.defaultDownstreamUni()).toBe(uniPort(spec, 0, 0, 0));
    expect(t.nniPorts()).toEqual([nniPort(0), nniPort(1)]);
    expect(t.uniPorts()).toHaveLength(8);
  });

  it('should add and remove routes incrementally as ports come and go', () => {
    const fx = buildPon(spec);
    const t = Topology.build(fx);
    const uni = uniPort(spec, 0, 1, 0);
    let c = t.removeLogicalPort(uni);
    expect(c.ports.has(uni)).toBe(true);
    expect(c.unisChanged).toBe(true);
    expect(t.routeCount).toBe(32 - 4);
    expect(t.route(nniPort(0), uni)).toBeUndefined();
    c = t.addLogicalPort(fx.logicalPorts.find((lp) => lp.ofpPort?.portNo === uni) as never);
    expect(t.routeCount).toBe(32);
    c = t.removeLogicalPort(nniPort(1));
    expect(c.nnisChanged).toBe(true);
    expect(t.routeCount).toBe(16);
    c = t.addLogicalPort(logicalPort(nniPort(1), OLT_ID, oltNniDevicePort(1), true));
    expect(t.routeCount).toBe(32);
  });

  it('should attach a UNI only when its ONU and PON peering exist', () => {
    const fx = buildPon({ ...spec, onusPerPon: 1 });
    const t = Topology.build({ rootDeviceId: OLT_ID, devices: [fx.olt], logicalPorts: fx.logicalPorts });
    const s1 = { ...spec, onusPerPon: 1 };
    const uni = uniPort(s1, 0, 0, 0);
    expect(t.isUni(uni)).toBe(true);
    expect(t.uniAttachment(uni)).toBeUndefined();
    expect(t.routeCount).toBe(0);
    const c = t.upsertDevice(onuDevice(0, 0, 2));
    expect([...c.ports].sort()).toEqual(
      uniLogicalPorts(s1, 0, 0)
        .map((lp) => lp.ofpPort?.portNo)
        .sort()
    );
    expect(t.uniAttachment(uni)).toEqual({
      uni,
      onuId: onuId(0, 0),
      uniDevicePort: onuUniDevicePort(0),
      onuPonPort: 1,
      oltId: OLT_ID,
      oltPonPort: oltPonDevicePort(0)
    });
    // the ONU loses its PON peer: its UNIs are detached, their routes removed
    t.upsertDevicePort(onuId(0, 0), port(ONU_PON_DEVICE_PORT, Port_PortType.PON_ONU, []));
    // the OLT side still lists the ONU: attachment falls back to the OLT's peer list
    expect(t.uniAttachment(uni)?.oltPonPort).toBe(oltPonDevicePort(0));
    t.removeDevice(onuId(0, 0));
    expect(t.uniAttachment(uni)).toBeUndefined();
    expect(t.route(nniPort(0), uni)).toBeUndefined();
  });

  it('should re-attach every UNI when the OLT changes', () => {
    const fx = buildPon(spec);
    const t = Topology.build(fx);
    const c = t.removeDevice(OLT_ID);
    expect(c.ports.size).toBe(8);
    expect(t.routeCount).toBe(0);
    t.upsertDevice(fx.olt);
    expect(t.routeCount).toBe(32);
  });
});
