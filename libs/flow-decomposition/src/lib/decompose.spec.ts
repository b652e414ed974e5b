import { ofpGroupType } from '@voltha/proto';
import {
  ETH_TYPE_EAPOL,
  ETH_TYPE_IPV4,
  ETH_TYPE_LLDP,
  ETH_TYPE_PPPOED,
  IP_PROTO_IGMP,
  IP_PROTO_UDP,
  OFPP_CONTROLLER,
  OFPP_FLOOD,
  applyActions,
  bucket,
  ethType,
  gotoTable,
  group,
  groupEntry,
  inPort,
  ipProto,
  ipv4Dst,
  meter,
  metadata,
  output,
  packVolthaMetadata,
  popVlan,
  pushVlan,
  setVlanPcp,
  setVlanVid,
  tunnelId,
  udpDst,
  udpSrc,
  vid,
  vlanPcp,
  vlanVid,
  writeMetadata
} from '@voltha/openflow';
import type { ofpOxmOfbField } from '@voltha/proto';

import {
  OLT_ID,
  ONU_PON_DEVICE_PORT,
  buildPon,
  nniPort,
  oltNniDevicePort,
  oltPonDevicePort,
  onuId,
  onuUniDevicePort,
  uniPort
} from '../../test/fixtures';
import { deviceFlow, logicalFlow, meterMap, noGroups } from '../../test/flow-builders';
import { decomposeFlow, decomposeFlowDetailed } from './decompose';
import { MissingGroupError, MissingMeterError, UnroutableFlowError, UnsupportedFlowError } from './errors';
import { Topology } from './topology';

// Single PON: NNI 65536 (device port 1048576), PON 536870912, onu-0-0 UNI 1 and onu-0-1 UNI 17 (device port 16).
const P1 = { nnis: 1, pons: 1, onusPerPon: 2, unisPerOnu: 1 };
// Multi-PON: 2 NNIs, 2 PONs, 2 ONUs per PON, 2 UNIs per ONU.
const P2 = { nnis: 2, pons: 2, onusPerPon: 2, unisPerOnu: 2 };

const topo1 = (): Topology => Topology.build(buildPon(P1));
const topo2 = (): Topology => Topology.build(buildPon(P2));
const NNI = nniPort(0);
const NNI_DEV = oltNniDevicePort(0);
const PON = oltPonDevicePort(0);
const UNI = uniPort(P1, 0, 0, 0);
const UNI_DEV = onuUniDevicePort(0);
const ONU = onuId(0, 0);
const CTRL = OFPP_CONTROLLER;
const TP64 = packVolthaMetadata(0, 64, 0); // technology profile 64, no port
const meters = meterMap(1, 2, 5);

const trapKinds: [string, ofpOxmOfbField[]][] = [
  ['EAPOL', [ethType(ETH_TYPE_EAPOL)]],
  ['DHCPv4', [ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_UDP), udpSrc(68), udpDst(67)]],
  ['IGMP', [ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)]],
  ['LLDP', [ethType(ETH_TYPE_LLDP)]],
  ['PPPoED', [ethType(ETH_TYPE_PPPOED)]]
];

describe('decomposeFlow', () => {
  describe('traps from a UNI (G.2: ONU + OLT pair, OLT output CONTROLLER)', () => {
    it.each(trapKinds)(
      'TRAP-UNI-%s: untagged trap becomes ONU forward + OLT trap keyed by tunnel_id',
      (_name, fields) => {
        const flow = logicalFlow({
          priority: 10000,
          cookie: 7n,
          match: [inPort(UNI), ...fields],
          instructions: [applyActions([output(CTRL)]), meter(1), writeMetadata(TP64)]
        });
        const out = decomposeFlow(flow, topo1(), noGroups, meters);
        expect([...out.keys()].sort()).toEqual([OLT_ID, ONU].sort());
        expect(out.get(OLT_ID)).toEqual([
          deviceFlow({
            priority: 10000,
            cookie: 7n,
            match: [inPort(PON), tunnelId(UNI), ...fields],
            instructions: [applyActions([output(CTRL)]), meter(1), writeMetadata(TP64)]
          })
        ]);
        expect(out.get(ONU)).toEqual([
          deviceFlow({
            priority: 10000,
            cookie: 7n,
            match: [inPort(UNI_DEV), tunnelId(UNI), ...fields],
            instructions: [applyActions([output(ONU_PON_DEVICE_PORT)]), meter(1), writeMetadata(TP64)]
          })
        ]);
      }
    );

    it('TRAP-UNI-EAPOL-TAGGED: the ONU pushes the tag the controller set, the OLT matches it (VLAN fields of the logical match dropped)', () => {
      const flow = logicalFlow({
        priority: 10000,
        match: [inPort(UNI), vlanVid(vid(0)), ethType(ETH_TYPE_EAPOL)],
        instructions: [applyActions([pushVlan(), setVlanVid(vid(4091)), output(CTRL)]), meter(1)]
      });
      const out = decomposeFlow(flow, topo1(), noGroups, meters);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 10000,
          match: [inPort(PON), tunnelId(UNI), ethType(ETH_TYPE_EAPOL), vlanVid(vid(4091))],
          instructions: [applyActions([output(CTRL)]), meter(1)]
        })
      ]);
      expect(out.get(ONU)).toEqual([
        deviceFlow({
          priority: 10000,
          match: [inPort(UNI_DEV), tunnelId(UNI), vlanVid(vid(0)), ethType(ETH_TYPE_EAPOL)],
          instructions: [
            applyActions([pushVlan(), setVlanVid(vid(4091)), output(ONU_PON_DEVICE_PORT)]),
            meter(1)
          ]
        })
      ]);
    });

    it('TRAP-UNI-DHCP-PCP: the ONU sets PCP before its output (2.x set it after: fixed)', () => {
      const dhcp = [ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_UDP), udpSrc(68), udpDst(67)];
      const flow = logicalFlow({
        priority: 10000,
        match: [inPort(UNI), ...dhcp],
        instructions: [applyActions([pushVlan(), setVlanVid(vid(7)), setVlanPcp(5), output(CTRL)])]
      });
      const out = decomposeFlow(flow, topo1(), noGroups, meters);
      expect(out.get(ONU)?.[0].instructions).toEqual([
        applyActions([pushVlan(), setVlanVid(vid(7)), setVlanPcp(5), output(ONU_PON_DEVICE_PORT)])
      ]);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 10000,
          match: [inPort(PON), tunnelId(UNI), ...dhcp, vlanVid(vid(7)), vlanPcp(5)],
          instructions: [applyActions([output(CTRL)])]
        })
      ]);
    });

    it('TRAP-UNI-IGMP-MULTI-UNI-METER: write-metadata bits 31-0 name the OLT meter (Multi-UNI), the ONU keeps the flow meter', () => {
      const wmd = packVolthaMetadata(0, 64, 5);
      const igmp = [ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)];
      const flow = logicalFlow({
        priority: 10000,
        match: [inPort(UNI), ...igmp],
        instructions: [applyActions([output(CTRL)]), meter(1), writeMetadata(wmd)]
      });
      const out = decomposeFlow(flow, topo1(), noGroups, meters);
      expect(out.get(OLT_ID)?.[0].instructions).toEqual([
        applyActions([output(CTRL)]),
        meter(5),
        writeMetadata(wmd)
      ]);
      expect(out.get(ONU)?.[0].instructions).toEqual([
        applyActions([output(ONU_PON_DEVICE_PORT)]),
        meter(1),
        writeMetadata(wmd)
      ]);
    });

    it('TRAP-UNI-WIRE-CONTROLLER: 0xFFFFFFFD (the wire value ONOS sends) is CONTROLLER', () => {
      const flow = logicalFlow({
        priority: 1,
        match: [inPort(UNI), ethType(ETH_TYPE_EAPOL)],
        instructions: [applyActions([output(0xfffffffd)])]
      });
      const o = decomposeFlowDetailed(flow, topo1(), noGroups, meters);
      expect(o.ok && o.kind).toBe('trap-uni');
    });

    it('TRAP-WILDCARD: a trap without in_port expands over every attached UNI, in port order', () => {
      const flow = logicalFlow({
        priority: 2000,
        match: [ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)],
        instructions: [applyActions([output(CTRL)])]
      });
      const t = topo1();
      const out = decomposeFlow(flow, t, noGroups, meters);
      const tunnels = (out.get(OLT_ID) ?? []).map(
        (f) => f.match?.oxmFields.find((x) => x.ofbField?.type === 38)?.ofbField?.tunnelId
      );
      expect(tunnels).toEqual(t.uniPorts().map(String));
      expect(out.get(onuId(0, 1))).toHaveLength(1);
    });
  });

  describe('traps from the NNI (G.1)', () => {
    it.each(trapKinds)('TRAP-NNI-%s: one OLT flow on the NNI device port, actions kept', (_name, fields) => {
      const flow = logicalFlow({
        priority: 60000,
        cookie: 3n,
        match: [inPort(NNI), ...fields],
        instructions: [applyActions([output(CTRL)])]
      });
      const out = decomposeFlow(flow, topo1(), noGroups, meters);
      expect([...out.keys()]).toEqual([OLT_ID]);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 60000,
          cookie: 3n,
          match: [inPort(NNI_DEV), ...fields],
          instructions: [applyActions([output(CTRL)])]
        })
      ]);
    });

    it('TRAP-NNI-MULTI-NNI: each NNI traps on its own device port (no random NNI, cf. VOL-5534)', () => {
      const lldp = (n: number) =>
        logicalFlow({
          priority: 1,
          match: [inPort(nniPort(n)), ethType(ETH_TYPE_LLDP)],
          instructions: [applyActions([output(CTRL)])]
        });
      const t = topo2();
      expect(decomposeFlow(lldp(1), t, noGroups).get(OLT_ID)?.[0].match?.oxmFields[0].ofbField?.port).toBe(
        oltNniDevicePort(1)
      );
      expect(decomposeFlow(lldp(0), t, noGroups).get(OLT_ID)?.[0].match?.oxmFields[0].ofbField?.port).toBe(
        oltNniDevicePort(0)
      );
    });
  });

  describe('upstream unicast', () => {
    it('UP-SINGLE-TAG: table 0 (goto 1) on the ONU, table 1 on the OLT, tunnel_id = UNI, meter and write-metadata carried', () => {
      const wmd = packVolthaMetadata(1000, 64, NNI);
      const l1 = logicalFlow({
        tableId: 0,
        priority: 1000,
        cookie: 11n,
        match: [inPort(UNI), vlanVid(vid(0))],
        instructions: [applyActions([setVlanVid(vid(101))]), gotoTable(1), meter(1), writeMetadata(wmd)]
      });
      const l2 = logicalFlow({
        tableId: 1,
        priority: 1000,
        cookie: 12n,
        match: [inPort(UNI), vlanVid(vid(101))],
        instructions: [
          applyActions([pushVlan(), setVlanVid(vid(1000)), output(NNI)]),
          meter(1),
          writeMetadata(wmd)
        ]
      });
      const t = topo1();
      const o1 = decomposeFlow(l1, t, noGroups, meters);
      expect([...o1.keys()]).toEqual([ONU]);
      expect(o1.get(ONU)).toEqual([
        deviceFlow({
          priority: 1000,
          cookie: 11n,
          match: [inPort(UNI_DEV), tunnelId(UNI), vlanVid(vid(0))],
          instructions: [
            applyActions([setVlanVid(vid(101)), output(ONU_PON_DEVICE_PORT)]),
            meter(1),
            writeMetadata(wmd)
          ]
        })
      ]);
      const o2 = decomposeFlow(l2, t, noGroups, meters);
      expect([...o2.keys()]).toEqual([OLT_ID]);
      expect(o2.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 1000,
          cookie: 12n,
          match: [inPort(PON), tunnelId(UNI), vlanVid(vid(101))],
          instructions: [
            applyActions([pushVlan(), setVlanVid(vid(1000)), output(NNI_DEV)]),
            meter(1),
            writeMetadata(wmd)
          ]
        })
      ]);
    });

    it('UP-DOUBLE-TAG: a priority-tagged packet gets C- and S-tag (PCP set too)', () => {
      const l2 = logicalFlow({
        tableId: 1,
        priority: 1000,
        match: [inPort(UNI), vlanVid(vid(101)), vlanPcp(0)],
        instructions: [applyActions([pushVlan(0x88a8), setVlanVid(vid(1000)), setVlanPcp(0), output(NNI)])]
      });
      const out = decomposeFlow(l2, topo1(), noGroups);
      expect(out.get(OLT_ID)?.[0].instructions).toEqual([
        applyActions([pushVlan(0x88a8), setVlanVid(vid(1000)), setVlanPcp(0), output(NNI_DEV)])
      ]);
    });

    it('UP-SINGLE-TABLE: a table-0 flow with an output: the ONU forwards, the OLT applies the actions', () => {
      const l = logicalFlow({
        priority: 500,
        match: [inPort(UNI), vlanVid(vid(100))],
        instructions: [applyActions([output(NNI)])]
      });
      const out = decomposeFlow(l, topo1(), noGroups);
      expect(out.get(ONU)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(UNI_DEV), tunnelId(UNI), vlanVid(vid(100))],
          instructions: [applyActions([output(ONU_PON_DEVICE_PORT)])]
        })
      ]);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(PON), tunnelId(UNI), vlanVid(vid(100))],
          instructions: [applyActions([output(NNI_DEV)])]
        })
      ]);
    });

    it('UP-DROP: a table-0 flow without output or goto drops at the ONU', () => {
      const l = logicalFlow({ priority: 500, match: [inPort(UNI), vlanVid(0), ethType(ETH_TYPE_IPV4)] });
      const out = decomposeFlow(l, topo1(), noGroups);
      expect(out.get(ONU)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(UNI_DEV), tunnelId(UNI), vlanVid(0), ethType(ETH_TYPE_IPV4)],
          instructions: [applyActions([])]
        })
      ]);
    });
  });

  describe('downstream unicast', () => {
    it('DOWN-DOUBLE-TAG: OLT pops the S-tag (route and tunnel_id from write-metadata, metadata = C-tag), ONU rewrites the C-tag', () => {
      const wmd = packVolthaMetadata(101, 64, UNI);
      const l1 = logicalFlow({
        tableId: 0,
        priority: 1000,
        match: [inPort(NNI), vlanVid(vid(1000)), vlanPcp(0)],
        instructions: [applyActions([popVlan()]), gotoTable(1), meter(2), writeMetadata(wmd)]
      });
      const l2 = logicalFlow({
        tableId: 1,
        priority: 1000,
        match: [inPort(NNI), vlanVid(vid(101)), vlanPcp(0)],
        instructions: [applyActions([setVlanVid(vid(0)), output(UNI)]), meter(2), writeMetadata(wmd)]
      });
      const t = topo1();
      expect(decomposeFlow(l1, t, noGroups, meters).get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 1000,
          match: [inPort(NNI_DEV), tunnelId(UNI), metadata(101n), vlanVid(vid(1000)), vlanPcp(0)],
          instructions: [applyActions([popVlan(), output(PON)]), meter(2), writeMetadata(wmd)]
        })
      ]);
      expect(decomposeFlow(l2, t, noGroups, meters).get(ONU)).toEqual([
        deviceFlow({
          priority: 1000,
          match: [inPort(ONU_PON_DEVICE_PORT), vlanVid(vid(101)), vlanPcp(0)],
          instructions: [applyActions([setVlanVid(vid(0)), output(UNI_DEV)]), meter(2), writeMetadata(wmd)]
        })
      ]);
    });

    it('DOWN-SINGLE-TAG: write-metadata without a tag adds no metadata match', () => {
      const wmd = packVolthaMetadata(0, 64, UNI);
      const l1 = logicalFlow({
        tableId: 0,
        priority: 1000,
        match: [inPort(NNI), vlanVid(vid(101))],
        instructions: [applyActions([]), gotoTable(1), writeMetadata(wmd)]
      });
      expect(decomposeFlow(l1, topo1(), noGroups).get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 1000,
          match: [inPort(NNI_DEV), tunnelId(UNI), vlanVid(vid(101))],
          instructions: [applyActions([output(PON)]), writeMetadata(wmd)]
        })
      ]);
    });

    it('DOWN-NO-WMD: without an egress the PON of the lowest attached UNI is used (deterministic half route), tunnel_id = NNI', () => {
      const t = topo2();
      const l = logicalFlow({
        tableId: 0,
        priority: 500,
        match: [inPort(nniPort(1)), vlanVid(vid(1000))],
        instructions: [applyActions([popVlan()]), gotoTable(1)]
      });
      const o = decomposeFlowDetailed(l, t, noGroups);
      expect(o.ok && o.deps.unis).toBe(true);
      expect(decomposeFlow(l, t, noGroups).get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(oltNniDevicePort(1)), tunnelId(nniPort(1)), vlanVid(vid(1000))],
          instructions: [applyActions([popVlan(), output(oltPonDevicePort(0))])]
        })
      ]);
    });

    it('DOWN-SINGLE-TABLE: a table-0 flow with an output: the OLT forwards, the ONU applies the actions', () => {
      const l = logicalFlow({
        priority: 500,
        match: [inPort(NNI), vlanVid(vid(100))],
        instructions: [applyActions([output(UNI)])]
      });
      const out = decomposeFlow(l, topo1(), noGroups);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(NNI_DEV), tunnelId(UNI), vlanVid(vid(100))],
          instructions: [applyActions([output(PON)])]
        })
      ]);
      expect(out.get(ONU)).toEqual([
        deviceFlow({
          priority: 500,
          match: [inPort(ONU_PON_DEVICE_PORT), vlanVid(vid(100))],
          instructions: [applyActions([output(UNI_DEV)])]
        })
      ]);
    });
  });

  describe('multi-PON', () => {
    it('MPON-ROUTES: each UNI uses its own PON, upstream and downstream, and traps carry the right PON', () => {
      const t = topo2();
      const uni = uniPort(P2, 1, 1, 1); // PON 1, ONU 1, UNI 1
      const onu = onuId(1, 1);
      const up = logicalFlow({
        tableId: 1,
        priority: 1000,
        match: [inPort(uni), vlanVid(vid(101))],
        instructions: [applyActions([pushVlan(), setVlanVid(vid(1000)), output(nniPort(1))])]
      });
      expect(decomposeFlow(up, t, noGroups).get(OLT_ID)?.[0].match).toEqual(
        deviceFlow({
          match: [inPort(oltPonDevicePort(1)), tunnelId(uni), vlanVid(vid(101))],
          instructions: []
        }).match
      );
      expect(decomposeFlow(up, t, noGroups).get(OLT_ID)?.[0].instructions).toEqual([
        applyActions([pushVlan(), setVlanVid(vid(1000)), output(oltNniDevicePort(1))])
      ]);
      const down = logicalFlow({
        tableId: 0,
        priority: 1000,
        match: [inPort(nniPort(0)), vlanVid(vid(1000))],
        instructions: [
          applyActions([popVlan()]),
          gotoTable(1),
          writeMetadata(packVolthaMetadata(101, 0, uni))
        ]
      });
      expect(decomposeFlow(down, t, noGroups).get(OLT_ID)?.[0].instructions[0]).toEqual(
        applyActions([popVlan(), output(oltPonDevicePort(1))])
      );
      const trap = logicalFlow({
        priority: 1,
        match: [inPort(uni), ethType(ETH_TYPE_EAPOL)],
        instructions: [applyActions([output(CTRL)])]
      });
      const tr = decomposeFlow(trap, t, noGroups);
      expect(tr.get(OLT_ID)?.[0].match?.oxmFields[0].ofbField?.port).toBe(oltPonDevicePort(1));
      expect(tr.get(onu)?.[0].match?.oxmFields[0].ofbField?.port).toBe(onuUniDevicePort(1));
    });
  });

  describe('multicast (G.8: passed through to the OLT with its group)', () => {
    const g = new Map([[1, groupEntry(1, ofpGroupType.OFPGT_ALL, [bucket([popVlan(), output(UNI)])])]]);
    const mcast = [ethType(ETH_TYPE_IPV4), vlanVid(vid(140)), ipv4Dst(0xe00a0a0a)];

    it('MCAST-GROUP: the logical flow goes to the OLT with in_port translated to the NNI device port', () => {
      const l = logicalFlow({
        priority: 1000,
        cookie: 9n,
        match: [inPort(NNI), ...mcast],
        instructions: [applyActions([group(1)])]
      });
      const out = decomposeFlow(l, topo1(), g);
      expect([...out.keys()]).toEqual([OLT_ID]);
      expect(out.get(OLT_ID)).toEqual([
        deviceFlow({
          priority: 1000,
          cookie: 9n,
          match: [inPort(NNI_DEV), ...mcast],
          instructions: [applyActions([group(1)])]
        })
      ]);
    });

    it('MCAST-NO-IN-PORT: routed through the lowest NNI, match unchanged', () => {
      const l = logicalFlow({ priority: 1000, match: mcast, instructions: [applyActions([group(1)])] });
      const o = decomposeFlowDetailed(l, topo1(), g);
      expect(o.ok && o.deps.nnis).toBe(true);
      expect(decomposeFlow(l, topo1(), g).get(OLT_ID)).toEqual([
        deviceFlow({ priority: 1000, match: mcast, instructions: [applyActions([group(1)])] })
      ]);
    });

    it('MCAST-MISSING-GROUP: an absent group is a MissingGroupError', () => {
      const l = logicalFlow({
        priority: 1000,
        match: [inPort(NNI), ...mcast],
        instructions: [applyActions([group(2)])]
      });
      expect(() => decomposeFlow(l, topo1(), g)).toThrow(MissingGroupError);
    });
  });

  describe('errors', () => {
    const t = topo1();
    const cases: [string, ReturnType<typeof logicalFlow>, new (...a: never[]) => Error][] = [
      [
        'unknown in_port',
        logicalFlow({ tableId: 1, match: [inPort(999)], instructions: [applyActions([output(NNI)])] }),
        UnroutableFlowError
      ],
      [
        'trap from an unknown port',
        logicalFlow({ match: [inPort(999)], instructions: [applyActions([output(CTRL)])] }),
        UnroutableFlowError
      ],
      [
        'UNI to UNI',
        logicalFlow({
          tableId: 1,
          match: [inPort(UNI)],
          instructions: [applyActions([output(uniPort(P1, 0, 1, 0))])]
        }),
        UnroutableFlowError
      ],
      [
        'NNI to NNI',
        logicalFlow({ tableId: 1, match: [inPort(NNI)], instructions: [applyActions([output(NNI)])] }),
        UnroutableFlowError
      ],
      [
        'write-metadata port without route',
        logicalFlow({
          match: [inPort(NNI)],
          instructions: [applyActions([]), gotoTable(1), writeMetadata(packVolthaMetadata(0, 0, 4242))]
        }),
        UnroutableFlowError
      ],
      [
        'unknown downstream flow',
        logicalFlow({ match: [inPort(NNI), vlanVid(vid(5))], instructions: [applyActions([popVlan()])] }),
        UnsupportedFlowError
      ],
      [
        'wildcard in_port data flow',
        logicalFlow({ tableId: 1, match: [vlanVid(vid(5))], instructions: [applyActions([output(NNI)])] }),
        UnsupportedFlowError
      ],
      [
        'upstream goto with output',
        logicalFlow({ match: [inPort(UNI)], instructions: [applyActions([output(NNI)]), gotoTable(1)] }),
        UnsupportedFlowError
      ],
      [
        'upstream table 1 without output',
        logicalFlow({ tableId: 1, match: [inPort(UNI)], instructions: [applyActions([popVlan()])] }),
        UnsupportedFlowError
      ],
      [
        'output to FLOOD',
        logicalFlow({ match: [inPort(UNI)], instructions: [applyActions([output(OFPP_FLOOD)])] }),
        UnsupportedFlowError
      ],
      [
        'upstream group flow',
        logicalFlow({ match: [inPort(UNI)], instructions: [applyActions([group(1)])] }),
        UnsupportedFlowError
      ],
      [
        'missing meter',
        logicalFlow({
          tableId: 1,
          match: [inPort(UNI)],
          instructions: [applyActions([output(NNI)]), meter(77)]
        }),
        MissingMeterError
      ]
    ];
    it.each(cases)('ERR: %s', (_name, flow, type) => {
      expect(() => decomposeFlow(flow, t, noGroups, meters)).toThrow(type);
      const o = decomposeFlowDetailed(flow, t, noGroups, meters);
      expect(o.ok).toBe(false);
    });

    it('ERR: a UNI whose ONU is gone is unroutable, and so is a UNI trap without any NNI', () => {
      const fx = buildPon(P1);
      const t2 = Topology.build({ rootDeviceId: OLT_ID, devices: [fx.olt], logicalPorts: fx.logicalPorts });
      const up = logicalFlow({
        tableId: 1,
        match: [inPort(UNI)],
        instructions: [applyActions([output(NNI)])]
      });
      expect(() => decomposeFlow(up, t2, noGroups)).toThrow(UnroutableFlowError);
      const t3 = topo1();
      t3.removeLogicalPort(NNI);
      const trap = logicalFlow({
        match: [inPort(UNI), ethType(ETH_TYPE_EAPOL)],
        instructions: [applyActions([output(CTRL)])]
      });
      expect(() => decomposeFlow(trap, t3, noGroups)).toThrow(/no NNI/);
    });

    it('ERR: errors carry the status code for the service layer', () => {
      const e = decomposeFlowDetailed(
        logicalFlow({ match: [inPort(999)], instructions: [applyActions([output(CTRL)])] }),
        t,
        noGroups
      );
      expect(!e.ok && e.error.code).toBe('FAILED_PRECONDITION');
      const u = decomposeFlowDetailed(
        logicalFlow({ match: [inPort(NNI)], instructions: [applyActions([popVlan()])] }),
        t,
        noGroups
      );
      expect(!u.ok && [u.error.code, u.error.reason]).toEqual(['INVALID_ARGUMENT', 'UNSUPPORTED_FLOW']);
    });
  });
});
