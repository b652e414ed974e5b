import {
  ofpBadActionCode,
  ofpBadInstructionCode,
  ofpBadMatchCode,
  ofpErrorType,
  ofpFlowModCommand,
  ofpFlowModFailedCode,
  ofpGroupModCommand,
  ofpGroupModFailedCode,
  ofpGroupType,
  ofpMeterModCommand,
  ofpMeterModFailedCode,
  oxmOfbFieldTypes
} from '@voltha/proto';
import type { ofpFlowMod } from '@voltha/proto';

import { group, output, pushVlan, setField } from './actions';
import { OFPP_ANY, OFPP_CONTROLLER, OFPTT_ALL } from './constants';
import { InvalidModError } from './errors';
import { flowMod } from './flow';
import { bucket, groupMod } from './group-table';
import { applyActions, gotoTable, meter, writeMetadata } from './instructions';
import {
  ethType,
  inPort,
  ipProto,
  ipv4Dst,
  match,
  metadata,
  ofbField,
  udpSrc,
  vlanPcp,
  vlanVid
} from './match';
import { dropBand, meterMod } from './meter-table';
import { validateFlowMod, validateGroupMod, validateMeterMod } from './validation';

function errorOf(fn: () => void): InvalidModError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidModError) return e;
    throw e;
  }
  throw new Error('expected an InvalidModError');
}

describe('validateFlowMod', () => {
  const ok = flowMod({
    priority: 1000,
    match: [inPort(1), ethType(0x888e)],
    instructions: [applyActions([output(OFPP_CONTROLLER)])]
  });

  it('should accept well-formed mods, including the wire value of CONTROLLER', () => {
    expect(() => validateFlowMod(ok)).not.toThrow();
    expect(() =>
      validateFlowMod(flowMod({ match: [inPort(1)], instructions: [applyActions([output(0xfffffffd)])] }))
    ).not.toThrow();
    expect(() => validateFlowMod(flowMod({ match: [inPort(1), vlanPcp(0)] }))).not.toThrow();
    expect(() =>
      validateFlowMod(
        flowMod({ tableId: 0, instructions: [gotoTable(1), writeMetadata('18446744073709551615'), meter(1)] })
      )
    ).not.toThrow();
  });

  const cases: [string, ofpFlowMod, ofpErrorType, number][] = [
    [
      'unknown command',
      { ...ok, command: 9 as ofpFlowModCommand },
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_BAD_COMMAND
    ],
    [
      'ADD to OFPTT_ALL',
      { ...ok, tableId: OFPTT_ALL },
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_BAD_TABLE_ID
    ],
    [
      'unknown flag',
      { ...ok, flags: 0x100 },
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_BAD_FLAGS
    ],
    [
      'timeout > 16 bits',
      { ...ok, idleTimeout: 70000 },
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_BAD_TIMEOUT
    ],
    [
      'cookie not a u64 string',
      { ...ok, cookie: '-1' },
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_UNKNOWN
    ],
    [
      'duplicate field',
      flowMod({ match: [inPort(1), inPort(2)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_DUP_FIELD
    ],
    [
      'field without value',
      {
        ...ok,
        match: {
          ...match([]),
          oxmFields: [
            {
              $type: 'openflow_13.ofp_oxm_field',
              oxmClass: 0x8000,
              ofbField: {
                $type: 'openflow_13.ofp_oxm_ofb_field',
                type: oxmOfbFieldTypes.OFPXMT_OFB_VLAN_VID,
                hasMask: false,
                port: 3
              }
            }
          ]
        }
      },
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_VALUE
    ],
    [
      'wrong OXM class',
      {
        ...ok,
        match: { ...match([inPort(1)]), oxmFields: [{ ...match([inPort(1)]).oxmFields[0], oxmClass: 0 }] }
      },
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_FIELD
    ],
    [
      'VLAN_PCP out of range',
      flowMod({ match: [vlanVid(0x1001), vlanPcp(9)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_VALUE
    ],
    [
      'mask on a non-maskable field',
      flowMod({ match: [{ ...ethType(0x800), hasMask: true }] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_MASK
    ],
    [
      'value bits outside the mask',
      flowMod({ match: [ethType(0x800), ipv4Dst(0x0a000001, 0xffffff00)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_WILDCARDS
    ],
    [
      'metadata not a u64',
      flowMod({ match: [{ ...metadata(1n), tableMetadata: '1e3' }] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_VALUE
    ],
    [
      'ip_proto without eth_type',
      flowMod({ match: [ipProto(17)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_PREREQ
    ],
    [
      'udp_src without ip_proto 17',
      flowMod({ match: [ethType(0x800), ipProto(6), udpSrc(68)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_PREREQ
    ],
    [
      'vlan_pcp with untagged vlan_vid',
      flowMod({ match: [vlanVid(0), vlanPcp(1)] }),
      ofpErrorType.OFPET_BAD_MATCH,
      ofpBadMatchCode.OFPBMC_BAD_PREREQ
    ],
    [
      'output to ANY',
      flowMod({ instructions: [applyActions([output(OFPP_ANY)])] }),
      ofpErrorType.OFPET_BAD_ACTION,
      ofpBadActionCode.OFPBAC_BAD_OUT_PORT
    ],
    [
      'output to port 0',
      flowMod({ instructions: [applyActions([output(0)])] }),
      ofpErrorType.OFPET_BAD_ACTION,
      ofpBadActionCode.OFPBAC_BAD_OUT_PORT
    ],
    [
      'push_vlan with a bad ethertype',
      flowMod({ instructions: [applyActions([pushVlan(0x800)])] }),
      ofpErrorType.OFPET_BAD_ACTION,
      ofpBadActionCode.OFPBAC_BAD_ARGUMENT
    ],
    [
      'set_field in_port',
      flowMod({ instructions: [applyActions([setField(inPort(3))])] }),
      ofpErrorType.OFPET_BAD_ACTION,
      ofpBadActionCode.OFPBAC_BAD_SET_TYPE
    ],
    [
      'group to OFPG_ALL',
      flowMod({ instructions: [applyActions([group(0x7ffffffc)])] }),
      ofpErrorType.OFPET_BAD_ACTION,
      ofpBadActionCode.OFPBAC_BAD_OUT_GROUP
    ],
    [
      'goto backwards',
      flowMod({ tableId: 1, instructions: [gotoTable(1)] }),
      ofpErrorType.OFPET_BAD_INSTRUCTION,
      ofpBadInstructionCode.OFPBIC_BAD_TABLE_ID
    ],
    [
      'instruction twice',
      flowMod({ instructions: [applyActions([]), applyActions([])] }),
      ofpErrorType.OFPET_BAD_INSTRUCTION,
      ofpBadInstructionCode.OFPBIC_UNSUP_INST
    ],
    [
      'meter 0',
      flowMod({ instructions: [meter(0)] }),
      ofpErrorType.OFPET_METER_MOD_FAILED,
      ofpMeterModFailedCode.OFPMMFC_INVALID_METER
    ]
  ];

  it.each(cases)('should reject %s (INVALID_ARGUMENT with the OpenFlow error)', (_name, mod, type, code) => {
    const e = errorOf(() => validateFlowMod(mod));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect([e.ofpErrorType, e.ofpErrorCode]).toEqual([type, code]);
    expect(e.message.length).toBeGreaterThan(10);
  });

  it('should accept DELETE on OFPTT_ALL and skip instruction checks for deletes', () => {
    expect(() =>
      validateFlowMod({
        ...flowMod({ instructions: [gotoTable(0)] }),
        command: ofpFlowModCommand.OFPFC_DELETE,
        tableId: OFPTT_ALL
      })
    ).not.toThrow();
  });

  it('should allow prerequisite checks to be turned off', () => {
    expect(() =>
      validateFlowMod(flowMod({ match: [ipProto(17)] }), { checkPrerequisites: false })
    ).not.toThrow();
  });

  it('should check MAC lengths', () => {
    expect(
      errorOf(() =>
        validateFlowMod(flowMod({ match: [ofbField(oxmOfbFieldTypes.OFPXMT_OFB_ETH_DST, '0011')] }))
      ).ofpErrorCode
    ).toBe(ofpBadMatchCode.OFPBMC_BAD_LEN);
  });
});

describe('validateGroupMod / validateMeterMod', () => {
  it('should reject bad group mods', () => {
    expect(
      errorOf(() =>
        validateGroupMod(groupMod(ofpGroupModCommand.OFPGC_ADD, 0x7ffffffc, ofpGroupType.OFPGT_ALL))
      ).ofpErrorCode
    ).toBe(ofpGroupModFailedCode.OFPGMFC_INVALID_GROUP);
    expect(
      errorOf(() =>
        validateGroupMod(
          groupMod(ofpGroupModCommand.OFPGC_ADD, 1, ofpGroupType.OFPGT_ALL, [bucket([group(2)])])
        )
      ).ofpErrorCode
    ).toBe(ofpGroupModFailedCode.OFPGMFC_CHAINING_UNSUPPORTED);
    expect(
      errorOf(() =>
        validateGroupMod(groupMod(ofpGroupModCommand.OFPGC_ADD, 1, ofpGroupType.OFPGT_INDIRECT, []))
      ).ofpErrorCode
    ).toBe(ofpGroupModFailedCode.OFPGMFC_BAD_BUCKET);
    expect(
      errorOf(() => validateGroupMod(groupMod(7 as ofpGroupModCommand, 1, ofpGroupType.OFPGT_ALL)))
        .ofpErrorCode
    ).toBe(ofpGroupModFailedCode.OFPGMFC_BAD_COMMAND);
    expect(() =>
      validateGroupMod(groupMod(ofpGroupModCommand.OFPGC_DELETE, 0x7ffffffc, ofpGroupType.OFPGT_ALL))
    ).not.toThrow();
  });

  it('should reject bad meter mods', () => {
    expect(errorOf(() => validateMeterMod(meterMod(ofpMeterModCommand.OFPMC_ADD, 0))).ofpErrorCode).toBe(
      ofpMeterModFailedCode.OFPMMFC_INVALID_METER
    );
    expect(
      errorOf(() => validateMeterMod(meterMod(ofpMeterModCommand.OFPMC_ADD, 1, 0, [dropBand(0)])))
        .ofpErrorCode
    ).toBe(ofpMeterModFailedCode.OFPMMFC_BAD_RATE);
    expect(() => validateMeterMod(meterMod(ofpMeterModCommand.OFPMC_DELETE, 0x7fffffff))).not.toThrow();
  });
});
