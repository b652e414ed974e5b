/** Why a logical flow could not be turned into device flows. */
export type DecompositionErrorReason = 'NO_ROUTE' | 'UNSUPPORTED_FLOW' | 'MISSING_GROUP' | 'MISSING_METER';

/**
 * Base class of decomposition failures. `code` is the status the service layer reports
 * (FAILED_PRECONDITION: the flow is well formed but the current topology/groups/meters cannot
 * carry it; INVALID_ARGUMENT: no decomposition rule exists for its shape).
 */
export class DecompositionError extends Error {
  public constructor(
    public readonly reason: DecompositionErrorReason,
    public readonly code: 'FAILED_PRECONDITION' | 'INVALID_ARGUMENT',
    public readonly flowId: string,
    message: string
  ) {
    super(message);
    this.name = 'DecompositionError';
  }
}

/** No route between the flow's ports (unknown port, UNI without an ONU/PON path, no NNI, ...). */
export class UnroutableFlowError extends DecompositionError {
  public constructor(flowId: string, message: string) {
    super('NO_ROUTE', 'FAILED_PRECONDITION', flowId, `flow ${flowId}: no route: ${message}`);
    this.name = 'UnroutableFlowError';
  }
}

/** The flow's shape matches no decomposition rule (e.g. VOLTHA 2.x "unknown downstream flow"). */
export class UnsupportedFlowError extends DecompositionError {
  public constructor(flowId: string, message: string) {
    super('UNSUPPORTED_FLOW', 'INVALID_ARGUMENT', flowId, `flow ${flowId}: unsupported: ${message}`);
    this.name = 'UnsupportedFlowError';
  }
}

/** The flow sends to a group that is not in the logical group table. */
export class MissingGroupError extends DecompositionError {
  public constructor(
    flowId: string,
    public readonly groupId: number
  ) {
    super('MISSING_GROUP', 'FAILED_PRECONDITION', flowId, `flow ${flowId}: group ${groupId} does not exist`);
    this.name = 'MissingGroupError';
  }
}

/** A device flow would reference a meter that is not in the logical meter table. */
export class MissingMeterError extends DecompositionError {
  public constructor(
    flowId: string,
    public readonly meterId: number
  ) {
    super('MISSING_METER', 'FAILED_PRECONDITION', flowId, `flow ${flowId}: meter ${meterId} does not exist`);
    this.name = 'MissingMeterError';
  }
}
