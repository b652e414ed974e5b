import { ofpInstructionType } from '@voltha/proto';
import type { ofpAction, ofpInstruction } from '@voltha/proto';

import { U64_MAX, u64 } from './uint64';

export function applyActions(actions: readonly ofpAction[]): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_APPLY_ACTIONS,
    actions: { $type: 'openflow_13.ofp_instruction_actions', actions: actions.slice() }
  };
}

export function writeActions(actions: readonly ofpAction[]): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_WRITE_ACTIONS,
    actions: { $type: 'openflow_13.ofp_instruction_actions', actions: actions.slice() }
  };
}

export function clearActions(): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_CLEAR_ACTIONS,
    actions: { $type: 'openflow_13.ofp_instruction_actions', actions: [] }
  };
}

export function gotoTable(tableId: number): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_GOTO_TABLE,
    gotoTable: { $type: 'openflow_13.ofp_instruction_goto_table', tableId }
  };
}

/** WRITE_METADATA (u64 value and mask; the mask defaults to all ones). */
export function writeMetadata(value: string | bigint, mask: string | bigint = U64_MAX): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_WRITE_METADATA,
    writeMetadata: {
      $type: 'openflow_13.ofp_instruction_write_metadata',
      metadata: u64(value),
      metadataMask: u64(mask)
    }
  };
}

export function meter(meterId: number): ofpInstruction {
  return {
    $type: 'openflow_13.ofp_instruction',
    type: ofpInstructionType.OFPIT_METER,
    meter: { $type: 'openflow_13.ofp_instruction_meter', meterId: meterId >>> 0 }
  };
}

/**
 * Packs the VOLTHA 2.x WRITE_METADATA layout (flow-decomposer.md §3.6): bits 63-48 inner/outer tag,
 * 47-32 technology-profile id, 31-0 egress port (or, on Multi-UNI traps, an OLT meter id).
 */
export function packVolthaMetadata(tag: number, techProfileId: number, port: number): string {
  return (
    (BigInt(tag & 0xffff) << 48n) |
    (BigInt(techProfileId & 0xffff) << 32n) |
    BigInt(port >>> 0)
  ).toString();
}

// ------------------------------------------------------------------------------------------------
// Getters over an instruction list
// ------------------------------------------------------------------------------------------------

export function findInstruction(
  instructions: readonly ofpInstruction[],
  type: ofpInstructionType
): ofpInstruction | undefined {
  for (const i of instructions) if (i.type === type) return i;
  return undefined;
}

/** The actions of the first APPLY_ACTIONS instruction (VOLTHA 2.x reads only these), or []. */
export function applyActionsOf(instructions: readonly ofpInstruction[]): ofpAction[] {
  return findInstruction(instructions, ofpInstructionType.OFPIT_APPLY_ACTIONS)?.actions?.actions ?? [];
}

/** The actions of every APPLY_ACTIONS and WRITE_ACTIONS instruction, in instruction order. */
export function allActionsOf(instructions: readonly ofpInstruction[]): ofpAction[] {
  const out: ofpAction[] = [];
  for (const i of instructions) {
    if (
      i.type === ofpInstructionType.OFPIT_APPLY_ACTIONS ||
      i.type === ofpInstructionType.OFPIT_WRITE_ACTIONS
    ) {
      if (i.actions !== undefined) out.push(...i.actions.actions);
    }
  }
  return out;
}

/** Target table of the GOTO_TABLE instruction, or undefined. */
export function gotoTableOf(instructions: readonly ofpInstruction[]): number | undefined {
  return findInstruction(instructions, ofpInstructionType.OFPIT_GOTO_TABLE)?.gotoTable?.tableId;
}

/** Meter id of the METER instruction, or undefined. */
export function meterIdOf(instructions: readonly ofpInstruction[]): number | undefined {
  return findInstruction(instructions, ofpInstructionType.OFPIT_METER)?.meter?.meterId;
}

/** Value (u64 decimal string) of the WRITE_METADATA instruction, or undefined. */
export function writeMetadataOf(instructions: readonly ofpInstruction[]): string | undefined {
  return findInstruction(instructions, ofpInstructionType.OFPIT_WRITE_METADATA)?.writeMetadata?.metadata;
}
