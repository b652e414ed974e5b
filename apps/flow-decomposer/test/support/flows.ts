import {
  applyActions,
  ETH_TYPE_EAPOL,
  ETH_TYPE_IPV4,
  ethType,
  flowMod,
  flowStatsFromFlowMod,
  gotoTable,
  inPort,
  IP_PROTO_IGMP,
  IP_PROTO_UDP,
  ipProto,
  OFPP_CONTROLLER,
  output,
  packVolthaMetadata,
  popVlan,
  pushVlan,
  setVlanVid,
  udpDst,
  udpSrc,
  vid,
  vlanVid,
  writeMetadata
} from '@voltha/openflow';
import { ofpFlowModCommand } from '@voltha/proto';
import type { ofpFlowMod } from '@voltha/proto';

/** OFPVID_PRESENT | 0: priority-tagged frames (adapters-api.md §2.5 step 8). */
export const VID_PRESENT_0 = 0x1000;

/** The EAPOL trap of cold activation step 8: in_port=UNI, vlan_vid=PRESENT|0, eth_type 0x888e → CONTROLLER. */
export function eapolTrap(uni: number): ofpFlowMod {
  return flowMod({
    priority: 1000,
    match: [inPort(uni), vlanVid(VID_PRESENT_0), ethType(ETH_TYPE_EAPOL)],
    instructions: [applyActions([output(OFPP_CONTROLLER)])]
  });
}

/** The same flow as DELETE_STRICT. */
export function deleteStrict(mod: ofpFlowMod): ofpFlowMod {
  return { ...mod, command: ofpFlowModCommand.OFPFC_DELETE_STRICT };
}

/** The logical flow id a flow-mod installs. */
export function flowIdOf(mod: ofpFlowMod): string {
  return flowStatsFromFlowMod(mod).id;
}

/**
 * About five flow-mods per subscriber as an access application installs them: EAPOL, DHCP and
 * IGMP traps on the UNI, and upstream/downstream data flows (table 0 goto 1, with write-metadata
 * naming the egress port). S-tag per subscriber so the downstream matches stay distinct.
 */
export function subscriberFlowMods(s: number, uni: number, nni: number): ofpFlowMod[] {
  const cTag = 100 + (s % 3000);
  const sTag = 1 + s;
  const tp = packVolthaMetadata(0, 64, 0);
  return [
    flowMod({
      priority: 10000,
      match: [inPort(uni), ethType(ETH_TYPE_EAPOL)],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(4091)), output(OFPP_CONTROLLER)]),
        writeMetadata(tp)
      ]
    }),
    flowMod({
      priority: 10000,
      match: [inPort(uni), ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_UDP), udpSrc(68), udpDst(67)],
      instructions: [applyActions([output(OFPP_CONTROLLER)]), writeMetadata(tp)]
    }),
    flowMod({
      priority: 10000,
      match: [inPort(uni), ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)],
      instructions: [applyActions([output(OFPP_CONTROLLER)]), writeMetadata(tp)]
    }),
    flowMod({
      priority: 1000,
      match: [inPort(uni), vlanVid(vid(0))],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(cTag))]),
        gotoTable(1),
        writeMetadata(packVolthaMetadata(sTag, 64, nni))
      ]
    }),
    flowMod({
      priority: 1000,
      match: [inPort(nni), vlanVid(vid(sTag))],
      instructions: [
        applyActions([popVlan()]),
        gotoTable(1),
        writeMetadata(packVolthaMetadata(cTag, 64, uni))
      ]
    })
  ];
}
