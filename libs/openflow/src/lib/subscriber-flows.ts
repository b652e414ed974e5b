import type { ofpFlowMod } from '@voltha/proto';

import { output, popVlan, pushVlan, setVlanVid } from './actions';
import {
  ETH_TYPE_EAPOL,
  ETH_TYPE_IPV4,
  IP_PROTO_IGMP,
  IP_PROTO_UDP,
  OFPP_CONTROLLER,
  vid
} from './constants';
import { flowMod } from './flow';
import { applyActions, gotoTable, meter, packVolthaMetadata, writeMetadata } from './instructions';
import { ethType, inPort, ipProto, udpDst, udpSrc, vlanVid } from './match';

export interface Subscriber {
  /** Logical port number of the subscriber's UNI. */
  readonly uni: number;
  /** Logical port number of the NNI the service leaves on. */
  readonly nni: number;
  /** Inner (customer) and outer (service) VLAN ids. */
  readonly cTag: number;
  readonly sTag: number;
  /** Meters of the upstream and downstream bandwidth profiles (default 1 and 2). */
  readonly upstreamMeter?: number;
  readonly downstreamMeter?: number;
  /** Technology profile id carried in write-metadata (default 64). */
  readonly techProfileId?: number;
}

/**
 * The five flow-mods the ONOS olt app installs for one subscriber in the ATT workflow, as the VOLTHA
 * 2.x decomposer expects them: EAPOL, DHCP and IGMP traps to the controller from the UNI, the
 * upstream data flow (table 0: tag with the C-tag, write-metadata carries the S-tag and the NNI,
 * go to table 1), and the downstream data flow (table 0 on the NNI: pop the S-tag, write-metadata
 * carries the C-tag and the UNI, go to table 1).
 */
export function subscriberFlowMods(s: Subscriber): ofpFlowMod[] {
  const up = s.upstreamMeter ?? 1;
  const down = s.downstreamMeter ?? 2;
  const tpId = s.techProfileId ?? 64;
  const trapMetadata = packVolthaMetadata(0, tpId, 0);
  return [
    flowMod({
      priority: 10000,
      match: [inPort(s.uni), ethType(ETH_TYPE_EAPOL)],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(4091)), output(OFPP_CONTROLLER)]),
        meter(up),
        writeMetadata(trapMetadata)
      ]
    }),
    flowMod({
      priority: 10000,
      match: [inPort(s.uni), ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_UDP), udpSrc(68), udpDst(67)],
      instructions: [applyActions([output(OFPP_CONTROLLER)]), meter(up), writeMetadata(trapMetadata)]
    }),
    flowMod({
      priority: 10000,
      match: [inPort(s.uni), ethType(ETH_TYPE_IPV4), ipProto(IP_PROTO_IGMP)],
      instructions: [applyActions([output(OFPP_CONTROLLER)]), meter(up), writeMetadata(trapMetadata)]
    }),
    flowMod({
      priority: 1000,
      match: [inPort(s.uni), vlanVid(vid(0))],
      instructions: [
        applyActions([pushVlan(), setVlanVid(vid(s.cTag))]),
        gotoTable(1),
        meter(up),
        writeMetadata(packVolthaMetadata(s.sTag, tpId, s.nni))
      ]
    }),
    flowMod({
      priority: 1000,
      match: [inPort(s.nni), vlanVid(vid(s.sTag))],
      instructions: [
        applyActions([popVlan()]),
        gotoTable(1),
        meter(down),
        writeMetadata(packVolthaMetadata(s.cTag, tpId, s.uni))
      ]
    })
  ];
}
