import {
  AlarmEvent,
  AlarmEventCategory_AlarmEventCategory as AlarmCategory,
  AlarmEventSeverity_AlarmEventSeverity as AlarmSeverity,
  AlarmEventState_AlarmEventState as AlarmState,
  AlarmEventType_AlarmEventType as AlarmType,
  KpiEvent,
  KpiEventType_KpiEventType as KpiType,
  PmConfig_PmType as PmType,
  PmConfigs
} from '@voltha/proto';

/** The 18 port counters of the 1.x simulated OLT, sorted by name. */
export const PORT_COUNTER_NAMES: readonly string[] = [
  ...['64', '65_127', '128_255', '256_511', '512_1023', '1024_1518', '1519_9k'].flatMap((size) => [
    `tx_${size}_pkts`,
    `rx_${size}_pkts`
  ]),
  'tx_pkts',
  'rx_pkts',
  'tx_bytes',
  'rx_bytes'
].sort();

/**
 * The initial PM configuration of a simulated OLT: every counter enabled, `default_freq` in tenths of a
 * second (1.x 150 = 15 s), not grouped, no frequency override.
 */
export function initialPmConfigs(deviceId: string, kpiIntervalMs: number): PmConfigs {
  return PmConfigs.fromPartial({
    id: deviceId,
    defaultFreq: Math.round(kpiIntervalMs / 100),
    grouped: false,
    freqOverride: false,
    metrics: PORT_COUNTER_NAMES.map((name) => ({ name, type: PmType.COUNTER, enabled: true, sampleFreq: 0 }))
  });
}

/** KPI period of a PM configuration (0: collection off). */
export const kpiIntervalOf = (pm: PmConfigs): number => Math.max(0, pm.defaultFreq) * 100;

/**
 * Monotonic counters of the simulated ports. Each collection adds a random step of at least 1 to every
 * counter (bytes grow by 64..1518 per packet step), so consecutive KPI slices strictly increase.
 */
export class PortCounters {
  private readonly values = new Map<string, Map<string, number>>();

  public constructor(private readonly random: () => number) {}

  public advance(port: string): Record<string, number> {
    let counters = this.values.get(port);
    if (!counters) {
      counters = new Map(PORT_COUNTER_NAMES.map((name) => [name, 0]));
      this.values.set(port, counters);
    }
    for (const name of PORT_COUNTER_NAMES) {
      const packets = 1 + Math.floor(this.random() * 1000);
      const step = name.endsWith('_bytes') ? packets * (64 + Math.floor(this.random() * 1455)) : packets;
      counters.set(name, (counters.get(name) ?? 0) + step);
    }
    return Object.fromEntries(counters);
  }
}

/**
 * One KPI slice of a simulated OLT: `voltha.simulated_olt.<id>` with cpu_util and buffer_util, and one
 * prefix per port (`.nni`, and `.pon` for one PON or `.pon.<port_no>` for several) holding the enabled
 * counters.
 */
export function kpiSlice(params: {
  adapterId: string;
  deviceId: string;
  nowMs: number;
  ports: readonly { name: string; counters: Record<string, number> }[];
  enabled: ReadonlySet<string>;
  random: () => number;
}): KpiEvent {
  const prefix = `voltha.${params.adapterId}.${params.deviceId}`;
  const prefixes: Record<string, { metrics: Record<string, number> }> = {
    [prefix]: { metrics: { cpu_util: 20 + params.random() * 70, buffer_util: 10 + params.random() * 10 } }
  };
  for (const port of params.ports) {
    const metrics: Record<string, number> = {};
    for (const [name, value] of Object.entries(port.counters))
      if (params.enabled.has(name)) metrics[name] = value;
    prefixes[`${prefix}.${port.name}`] = { metrics };
  }
  return KpiEvent.fromPartial({ type: KpiType.slice, ts: params.nowMs / 1000, prefixes });
}

const pick = <T>(values: readonly T[], random: () => number): T =>
  values[Math.floor(random() * values.length)];

/** A random simulated alarm for a device (id `voltha.<adapter>.<device>`, as 1.x create_alarm). */
export function simulatedAlarm(params: {
  adapterId: string;
  deviceId: string;
  nowMs: number;
  random: () => number;
  context?: Record<string, string>;
}): AlarmEvent {
  const { random } = params;
  const type = pick(
    [
      AlarmType.COMMUNICATION,
      AlarmType.ENVIRONMENT,
      AlarmType.EQUIPMENT,
      AlarmType.SERVICE,
      AlarmType.PROCESSING,
      AlarmType.SECURITY
    ],
    random
  );
  const category = pick([AlarmCategory.PON, AlarmCategory.OLT, AlarmCategory.ONT], random);
  const severity = pick(
    [
      AlarmSeverity.INDETERMINATE,
      AlarmSeverity.WARNING,
      AlarmSeverity.MINOR,
      AlarmSeverity.MAJOR,
      AlarmSeverity.CRITICAL
    ],
    random
  );
  const state = pick([AlarmState.RAISED, AlarmState.CLEARED], random);
  const ts = params.nowMs / 1000;
  return AlarmEvent.fromPartial({
    id: `voltha.${params.adapterId}.${params.deviceId}`,
    type,
    category,
    severity,
    state,
    raisedTs: ts,
    reportedTs: ts,
    changedTs: ts,
    resourceId: params.deviceId,
    description:
      `Simulated alarm - device:${params.deviceId} type:${AlarmType[type]} severity:${AlarmSeverity[severity]} ` +
      `state:${AlarmState[state]} category:${AlarmCategory[category]}`,
    context: { adapter: params.adapterId, ...params.context }
  });
}
