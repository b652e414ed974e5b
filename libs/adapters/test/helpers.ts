import type { InMemoryCore } from '../src';
import {
  AdminState_AdminState as AdminState,
  ConnectStatus_ConnectStatus as ConnectStatus,
  OperStatus_OperStatus as OperStatus
} from '@voltha/proto';
import type { Device } from '@voltha/proto';

export const state = (d: Device | undefined): string =>
  d ? `${AdminState[d.adminState]}/${OperStatus[d.operStatus]}/${ConnectStatus[d.connectStatus]}` : 'absent';

/** How many devices are in each admin/oper/connect state. */
export function stateCounts(devices: readonly Device[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of devices) out[state(d)] = (out[state(d)] ?? 0) + 1;
  return out;
}

/** Peer pairs seen from both sides, to check referential integrity. */
export function peerReport(core: InMemoryCore, oltId: string): { oltSide: string[]; onuSide: string[] } {
  const olt = core.device(oltId) as Device;
  const oltSide = olt.ports
    .flatMap((p) => p.peers.map((peer) => `${oltId}:${p.portNo}<->${peer.deviceId}:${peer.portNo}`))
    .sort();
  const onuSide = core
    .childrenOf(oltId)
    .flatMap((onu) =>
      onu.ports.flatMap((p) =>
        p.peers.map((peer) => `${peer.deviceId}:${peer.portNo}<->${onu.id}:${p.portNo}`)
      )
    )
    .sort();
  return { oltSide, onuSide };
}

export const ACTIVE = 'ENABLED/ACTIVE/REACHABLE';
