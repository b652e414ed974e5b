import { ofpActionType, ofpOxmClass, oxmOfbFieldTypes } from '@voltha/proto';
import type { ofpAction, ofpOxmOfbField } from '@voltha/proto';

import { ETH_TYPE_VLAN, OFPCML_MAX, isControllerPort } from './constants';
import { ofbField, ofbRawValue } from './match';

/** OUTPUT to a port (max_len defaults to OFPCML_MAX, as VOLTHA's builders do). */
export function output(port: number, maxLen: number = OFPCML_MAX): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_OUTPUT,
    output: { $type: 'openflow_13.ofp_action_output', port: port >>> 0, maxLen }
  };
}

export function pushVlan(ethertype: number = ETH_TYPE_VLAN): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_PUSH_VLAN,
    push: { $type: 'openflow_13.ofp_action_push', ethertype }
  };
}

export function popVlan(): ofpAction {
  return { $type: 'openflow_13.ofp_action', type: ofpActionType.OFPAT_POP_VLAN };
}

export function pushMpls(ethertype = 0x8847): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_PUSH_MPLS,
    push: { $type: 'openflow_13.ofp_action_push', ethertype }
  };
}

export function popMpls(ethertype: number): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_POP_MPLS,
    popMpls: { $type: 'openflow_13.ofp_action_pop_mpls', ethertype }
  };
}

export function group(groupId: number): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_GROUP,
    group: { $type: 'openflow_13.ofp_action_group', groupId: groupId >>> 0 }
  };
}

/** SET_FIELD with a basic field (built with the match builders, e.g. `setField(vlanVid(vid(100)))`). */
export function setField(field: ofpOxmOfbField): ofpAction {
  return {
    $type: 'openflow_13.ofp_action',
    type: ofpActionType.OFPAT_SET_FIELD,
    setField: {
      $type: 'openflow_13.ofp_action_set_field',
      field: {
        $type: 'openflow_13.ofp_oxm_field',
        oxmClass: ofpOxmClass.OFPXMC_OPENFLOW_BASIC,
        ofbField: field
      }
    }
  };
}

/** SET_FIELD vlan_vid := value (pass the full field value, e.g. `vid(100)`). */
export const setVlanVid = (value: number): ofpAction =>
  setField(ofbField(oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID, value));
export const setVlanPcp = (pcp: number): ofpAction =>
  setField(ofbField(oxmOfbFieldTypes.OFPXMT_OFB_VLAN_PCP, pcp));

// ------------------------------------------------------------------------------------------------
// Getters over an action list
// ------------------------------------------------------------------------------------------------

/** Port of the first OUTPUT action, or undefined. */
export function firstOutputPort(actions: readonly ofpAction[]): number | undefined {
  for (const a of actions)
    if (a.type === ofpActionType.OFPAT_OUTPUT && a.output !== undefined) return a.output.port;
  return undefined;
}

/** Every OUTPUT port, in order. */
export function outputPorts(actions: readonly ofpAction[]): number[] {
  const out: number[] = [];
  for (const a of actions)
    if (a.type === ofpActionType.OFPAT_OUTPUT && a.output !== undefined) out.push(a.output.port);
  return out;
}

/** Group id of the first GROUP action, or undefined. */
export function firstGroupId(actions: readonly ofpAction[]): number | undefined {
  for (const a of actions)
    if (a.type === ofpActionType.OFPAT_GROUP && a.group !== undefined) return a.group.groupId;
  return undefined;
}

/** The basic field of the first SET_FIELD action of a field type, or undefined. */
export function findSetField(
  actions: readonly ofpAction[],
  type: oxmOfbFieldTypes
): ofpOxmOfbField | undefined {
  for (const a of actions) {
    const f = a.type === ofpActionType.OFPAT_SET_FIELD ? a.setField?.field?.ofbField : undefined;
    if (f !== undefined && f.type === type) return f;
  }
  return undefined;
}

/** The number a SET_FIELD of that type writes (u32 fields), or undefined. */
export function setFieldNumber(actions: readonly ofpAction[], type: oxmOfbFieldTypes): number | undefined {
  const f = findSetField(actions, type);
  const v = f === undefined ? undefined : ofbRawValue(f);
  return typeof v === 'number' ? v : undefined;
}

export function hasActionType(actions: readonly ofpAction[], type: ofpActionType): boolean {
  return actions.some((a) => a.type === type);
}

/** True when some OUTPUT goes to the controller (masked compare). */
export function outputsToController(actions: readonly ofpAction[]): boolean {
  return actions.some((a) => a.type === ofpActionType.OFPAT_OUTPUT && isControllerPort(a.output?.port));
}

/** The actions without their OUTPUT actions. */
export function withoutOutputs(actions: readonly ofpAction[]): ofpAction[] {
  return actions.filter((a) => a.type !== ofpActionType.OFPAT_OUTPUT);
}
