import {
  ofpBadActionCode,
  ofpBadInstructionCode,
  ofpBadMatchCode,
  ofpBadRequestCode,
  ofpErrorType,
  ofpFlowModFailedCode,
  ofpGroupModFailedCode,
  ofpMeterModFailedCode
} from '@voltha/proto';

/**
 * The status the service layer maps an error to (gRPC code names): INVALID_ARGUMENT for a
 * malformed request, FAILED_PRECONDITION for a well-formed request that the current tables refuse
 * (group exists, unknown group or meter, overlap).
 */
export type OpenFlowErrorStatus = 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION';

/** Base class of every error raised by the table semantics: carries the OpenFlow error type/code. */
export class OpenFlowError extends Error {
  public readonly code: OpenFlowErrorStatus;
  /** `ofp_error_type` (e.g. OFPET_FLOW_MOD_FAILED). */
  public readonly ofpErrorType: ofpErrorType;
  /** The code of that error type (e.g. OFPFMFC_OVERLAP). */
  public readonly ofpErrorCode: number;

  public constructor(
    code: OpenFlowErrorStatus,
    ofpErrorType: ofpErrorType,
    ofpErrorCode: number,
    message: string
  ) {
    super(message);
    this.name = 'OpenFlowError';
    this.code = code;
    this.ofpErrorType = ofpErrorType;
    this.ofpErrorCode = ofpErrorCode;
  }
}

/** A malformed flow-mod, group-mod or meter-mod (bad match, action, instruction, table, command). */
export class InvalidModError extends OpenFlowError {
  public constructor(ofpErrorType: ofpErrorType, ofpErrorCode: number, message: string) {
    super('INVALID_ARGUMENT', ofpErrorType, ofpErrorCode, message);
    this.name = 'InvalidModError';
  }
}

/** OFPFC_ADD with OFPFF_CHECK_OVERLAP found an entry that may match the same packets. */
export class FlowOverlapError extends OpenFlowError {
  public constructor(
    message: string,
    public readonly overlappingFlowIds: readonly string[]
  ) {
    super(
      'FAILED_PRECONDITION',
      ofpErrorType.OFPET_FLOW_MOD_FAILED,
      ofpFlowModFailedCode.OFPFMFC_OVERLAP,
      message
    );
    this.name = 'FlowOverlapError';
  }
}

/** A flow or group references a group that is not in the group table. */
export class UnknownGroupError extends OpenFlowError {
  public constructor(
    public readonly groupId: number,
    ofpType: ofpErrorType = ofpErrorType.OFPET_BAD_ACTION,
    ofpCode: number = ofpBadActionCode.OFPBAC_BAD_OUT_GROUP
  ) {
    super('FAILED_PRECONDITION', ofpType, ofpCode, `group ${groupId} does not exist`);
    this.name = 'UnknownGroupError';
  }
}

/** OFPGC_ADD of a group id already in the table. */
export class GroupExistsError extends OpenFlowError {
  public constructor(public readonly groupId: number) {
    super(
      'FAILED_PRECONDITION',
      ofpErrorType.OFPET_GROUP_MOD_FAILED,
      ofpGroupModFailedCode.OFPGMFC_GROUP_EXISTS,
      `group ${groupId} already exists`
    );
    this.name = 'GroupExistsError';
  }
}

/** A flow references, or a meter-mod modifies, a meter that is not in the meter table. */
export class UnknownMeterError extends OpenFlowError {
  public constructor(public readonly meterId: number) {
    super(
      'FAILED_PRECONDITION',
      ofpErrorType.OFPET_METER_MOD_FAILED,
      ofpMeterModFailedCode.OFPMMFC_UNKNOWN_METER,
      `meter ${meterId} does not exist`
    );
    this.name = 'UnknownMeterError';
  }
}

/** OFPMC_ADD of a meter id already in the table. */
export class MeterExistsError extends OpenFlowError {
  public constructor(public readonly meterId: number) {
    super(
      'FAILED_PRECONDITION',
      ofpErrorType.OFPET_METER_MOD_FAILED,
      ofpMeterModFailedCode.OFPMMFC_METER_EXISTS,
      `meter ${meterId} already exists`
    );
    this.name = 'MeterExistsError';
  }
}

/** Shorthands for the validation errors, one per OpenFlow error type. */
export const badMatch = (code: ofpBadMatchCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_BAD_MATCH, code, `bad match: ${message}`);
export const badAction = (code: ofpBadActionCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_BAD_ACTION, code, `bad action: ${message}`);
export const badInstruction = (code: ofpBadInstructionCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_BAD_INSTRUCTION, code, `bad instruction: ${message}`);
export const badRequest = (code: ofpBadRequestCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_BAD_REQUEST, code, `bad request: ${message}`);
export const flowModFailed = (code: ofpFlowModFailedCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_FLOW_MOD_FAILED, code, `flow-mod failed: ${message}`);
export const groupModFailed = (code: ofpGroupModFailedCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_GROUP_MOD_FAILED, code, `group-mod failed: ${message}`);
export const meterModFailed = (code: ofpMeterModFailedCode, message: string): InvalidModError =>
  new InvalidModError(ofpErrorType.OFPET_METER_MOD_FAILED, code, `meter-mod failed: ${message}`);
