import { invalidArgument } from '../errors';

/** Limits of a simulated OLT (BBSim-like scale). */
export const MAX_PON_PORTS = 16;
export const MAX_ONUS_PER_PON = 128;
/** ONU ids available per PON in the compat layout (channel ids stay below the NNI logical port 129). */
export const COMPAT_MAX_ONU_ID = 28;

/** 1.x numbers, kept by the compat layout. */
export const COMPAT_PON_PORT_NO = 1;
export const COMPAT_NNI_PORT_NO = 2;
export const COMPAT_NNI_LOGICAL_PORT_NO = 129;
/** NNI device port and NNI logical port in the scaled layout (`(1 << 16) | 0`, as BBSim / openolt). */
export const SCALED_NNI_PORT_NO = 65536;
/** Channel ids are `CHANNEL_BASE + (pon - 1) * MAX_ONUS_PER_PON + onuId` (1.x: 100 + i). */
export const CHANNEL_BASE = 100;

/** ONU device ports (all layouts). */
export const ONU_PON_PORT_NO = 1;
export const ONU_UNI_PORT_NO = 2;

/** Per-device options of a simulated OLT, from `Device.extraArgs`. */
export interface SimulatedOltArgs {
  /** PON ports (1..16, default 1). */
  readonly ponPorts: number;
  /** ONUs discovered on each PON at activation (0..128, default 4). */
  readonly onusPerPon: number;
  /** Delay between discovery batches for this device, overriding the adapter timing. */
  readonly discoveryBatchDelayMs?: number;
}

export const DEFAULT_OLT_ARGS: SimulatedOltArgs = { ponPorts: 1, onusPerPon: 4 };

interface ArgSpec {
  readonly key: keyof SimulatedOltArgs;
  readonly min: number;
  readonly max: number;
}

const ARG_SPECS: Readonly<Record<string, ArgSpec>> = {
  '--pon-ports': { key: 'ponPorts', min: 1, max: MAX_PON_PORTS },
  '--onus-per-pon': { key: 'onusPerPon', min: 0, max: MAX_ONUS_PER_PON },
  '--discovery-batch-delay': { key: 'discoveryBatchDelayMs', min: 0, max: 3_600_000 }
};

/**
 * Parses `Device.extraArgs` of a simulated OLT: `--pon-ports <n> --onus-per-pon <m>
 * [--discovery-batch-delay <ms>]`, each also as `--name=value`. Values are decimal integers in range;
 * unknown, repeated or valueless options are INVALID_ARGUMENT errors. An empty string gives 1 x 4.
 */
export function parseOltArgs(extraArgs: string): SimulatedOltArgs {
  const tokens = extraArgs.trim() === '' ? [] : extraArgs.trim().split(/\s+/);
  const values: { -readonly [K in keyof SimulatedOltArgs]?: number } = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const eq = token.indexOf('=');
    const name = eq >= 0 ? token.slice(0, eq) : token;
    const spec = ARG_SPECS[name];
    if (!spec) {
      throw invalidArgument(
        `extra_args: unknown option '${name}' (known: ${Object.keys(ARG_SPECS).join(', ')})`
      );
    }
    let raw: string | undefined;
    if (eq >= 0) raw = token.slice(eq + 1);
    else {
      raw = tokens[i + 1];
      i++;
    }
    if (raw === undefined || raw === '') throw invalidArgument(`extra_args: option '${name}' needs a value`);
    if (!/^\d+$/.test(raw))
      throw invalidArgument(`extra_args: ${name} '${raw}' is not a non-negative integer`);
    const value = Number(raw);
    if (value < spec.min || value > spec.max) {
      throw invalidArgument(`extra_args: ${name} ${value} is out of range ${spec.min}..${spec.max}`);
    }
    if (values[spec.key] !== undefined) throw invalidArgument(`extra_args: option '${name}' given twice`);
    values[spec.key] = value;
  }
  return {
    ponPorts: values.ponPorts ?? DEFAULT_OLT_ARGS.ponPorts,
    onusPerPon: values.onusPerPon ?? DEFAULT_OLT_ARGS.onusPerPon,
    ...(values.discoveryBatchDelayMs !== undefined
      ? { discoveryBatchDelayMs: values.discoveryBatchDelayMs }
      : {})
  };
}

/**
 * Port and channel numbering of one simulated OLT.
 *
 * * Compat layout (1 PON and at most 28 ONUs on it, which includes the 1 x 4 default): exactly 1.x's
 *   numbers: PON port 1, NNI port 2, NNI logical port 129, channel ids 101..128.
 * * Scaled layout (anything bigger): PON ports 1..P, NNI port 65536, NNI logical port 65536, channel ids
 *   `100 + (pon - 1) * 128 + onuId` (101..2148), so UNI logical port numbers never meet the NNI one.
 *
 * An ONU id is 1-based per PON; the channel id is unique per OLT and is also the ONU's VLAN and its UNI
 * logical port number.
 */
export class OltLayout {
  public readonly compat: boolean;
  public readonly ponPortNos: readonly number[];
  public readonly nniPortNo: number;
  public readonly nniLogicalPortNo: number;
  /** Highest ONU id on one PON (arrivals can fill up to it). */
  public readonly maxOnuId: number;

  public constructor(public readonly args: SimulatedOltArgs) {
    this.compat = args.ponPorts === 1 && args.onusPerPon <= COMPAT_MAX_ONU_ID;
    this.ponPortNos = Array.from({ length: args.ponPorts }, (_, i) => i + 1);
    this.nniPortNo = this.compat ? COMPAT_NNI_PORT_NO : SCALED_NNI_PORT_NO;
    this.nniLogicalPortNo = this.compat ? COMPAT_NNI_LOGICAL_PORT_NO : SCALED_NNI_PORT_NO;
    this.maxOnuId = this.compat ? COMPAT_MAX_ONU_ID : MAX_ONUS_PER_PON;
  }

  public static fromExtraArgs(extraArgs: string): OltLayout {
    return new OltLayout(parseOltArgs(extraArgs));
  }

  public isPonPort(portNo: number): boolean {
    return Number.isInteger(portNo) && portNo >= 1 && portNo <= this.args.ponPorts;
  }

  /** Every device port number of the OLT (PON ports, then NNI). */
  public get portNos(): number[] {
    return [...this.ponPortNos, this.nniPortNo];
  }

  public channelId(ponPortNo: number, onuId: number): number {
    if (!this.isPonPort(ponPortNo))
      throw invalidArgument(`PON port ${ponPortNo} does not exist (1..${this.args.ponPorts})`);
    if (!Number.isInteger(onuId) || onuId < 1 || onuId > this.maxOnuId) {
      throw invalidArgument(`ONU id ${onuId} is out of range 1..${this.maxOnuId}`);
    }
    return CHANNEL_BASE + (ponPortNo - 1) * MAX_ONUS_PER_PON + onuId;
  }

  /** The PON port and ONU id of a channel id of this OLT, or undefined when it is not one. */
  public slotOfChannel(channelId: number): { ponPortNo: number; onuId: number } | undefined {
    const offset = channelId - CHANNEL_BASE - 1;
    if (!Number.isInteger(offset) || offset < 0) return undefined;
    const ponPortNo = Math.floor(offset / MAX_ONUS_PER_PON) + 1;
    const onuId = (offset % MAX_ONUS_PER_PON) + 1;
    if (!this.isPonPort(ponPortNo) || onuId > this.maxOnuId) return undefined;
    return { ponPortNo, onuId };
  }
}

/**
 * The serial number of the simulated ONU at (pon, onu) of an OLT: `SIMU` + the last 4 hex digits of
 * the OLT id + the PON index and ONU id as two hex bytes each (e.g. `SIMU00010001` for OLT `…0001`,
 * PON 1, ONU 1), BBSim-style so pre-provisioned ONUs can be declared by serial number.
 */
export function onuSerialNumber(oltId: string, ponPortNo: number, onuId: number): string {
  const olt = oltId
    .replace(/[^0-9a-fA-F]/g, '')
    .slice(-4)
    .padStart(4, '0')
    .toUpperCase();
  const hex = (n: number): string => n.toString(16).padStart(2, '0').toUpperCase();
  return `SIMU${olt}${hex(ponPortNo - 1)}${hex(onuId)}`;
}

/** Six-byte MAC-like `hw_addr` whose last four bytes are `portNo` (1.x: 00:00:00:00:00:<port>). */
export function portHwAddr(portNo: number): number[] {
  return [0, 0, (portNo >>> 24) & 0xff, (portNo >>> 16) & 0xff, (portNo >>> 8) & 0xff, portNo & 0xff];
}
