import { ofpPortFeatures, ofpPortState } from '@voltha/proto';
import type { LogicalPort } from '@voltha/proto';

import { portHwAddr } from './olt-layout';

export const SIMULATED_OLT_ADAPTER = 'simulated_olt';
export const SIMULATED_ONU_DEVICE_TYPE = 'simulated_onu';
export const SIMULATED_VENDOR = 'Voltha project';
export const SIMULATED_VERSION = '0.1';

/** Ports of a 1 Gb/s fibre link: OFPPF_1GB_FD | OFPPF_FIBER, speed 1,000,000 kbps. */
export function simulatedOfpPort(portNo: number, name: string): LogicalPort['ofpPort'] {
  const features = ofpPortFeatures.OFPPF_1GB_FD | ofpPortFeatures.OFPPF_FIBER;
  return {
    $type: 'openflow_13.ofp_port',
    portNo,
    hwAddr: portHwAddr(portNo),
    name,
    config: 0,
    state: ofpPortState.OFPPS_LIVE,
    curr: features,
    advertised: features,
    supported: 0,
    peer: features,
    currSpeed: 1_000_000,
    maxSpeed: 1_000_000
  };
}
