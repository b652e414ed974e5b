import { type Scheduler, SystemScheduler } from '../scheduler';

/** Every delay of the simulated adapters, in milliseconds. 1.x values by default. */
export interface SimulatedTimings {
  /** adopt_device -> first activation step (1.x 0.2 s, OLT and ONU). */
  readonly activationDelayMs: number;
  /** Between activation steps: device info -> ports -> logical device/port (1.x 0.05 s). */
  readonly stepDelayMs: number;
  /** OLT ACTIVE -> first ONU discovery batch (1.x 0.1 s). */
  readonly discoveryDelayMs: number;
  /** Between discovery batches of one ONU per PON (1.x 0.05 s per ONU; BBSim `-delay` 200 ms). */
  readonly discoveryBatchDelayMs: number;
  /** OLT echo of a proxied message back to the ONU (1.x 0.2 s). */
  readonly echoDelayMs: number;
  /** KPI period (1.x default_freq 150 tenths = 15 s); 0 = no KPIs. */
  readonly kpiIntervalMs: number;
  /** Simulated alarm period (1.x 30 s); 0 = no alarms. */
  readonly alarmIntervalMs: number;
  /** How long a reboot keeps the device down (ponsim 10 s). */
  readonly rebootTimeMs: number;
  /** How long an ONU waits for the echo of its test message before FAILED; 0 = forever (1.x). */
  readonly proxiedResponseTimeoutMs: number;
}

export const DEFAULT_SIMULATED_TIMINGS: SimulatedTimings = {
  activationDelayMs: 200,
  stepDelayMs: 50,
  discoveryDelayMs: 100,
  discoveryBatchDelayMs: 50,
  echoDelayMs: 200,
  kpiIntervalMs: 15_000,
  alarmIntervalMs: 30_000,
  rebootTimeMs: 10_000,
  proxiedResponseTimeoutMs: 10_000
};

/** All delays 0 and no periodic KPIs, alarms or timeouts: what unit tests use. */
export const ZERO_TIMINGS: SimulatedTimings = {
  activationDelayMs: 0,
  stepDelayMs: 0,
  discoveryDelayMs: 0,
  discoveryBatchDelayMs: 0,
  echoDelayMs: 0,
  kpiIntervalMs: 0,
  alarmIntervalMs: 0,
  rebootTimeMs: 0,
  proxiedResponseTimeoutMs: 0
};

/** Structured log sink (the service passes its logger; the default drops everything). */
export interface AdapterLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => undefined;
export const SILENT_LOGGER: AdapterLogger = { debug: noop, info: noop, warn: noop, error: noop };

export interface SimulatedAdapterOptions {
  readonly timings?: Partial<SimulatedTimings>;
  /** Defaults to the system clock. */
  readonly scheduler?: Scheduler;
  /** Uniform [0, 1) source for serial numbers, counters and alarms (default Math.random). */
  readonly random?: () => number;
  readonly logger?: AdapterLogger;
  /** Errors of background work (activation, discovery, KPIs); default: logged. */
  readonly onError?: (error: unknown, context: { deviceId: string; task: string }) => void;
}

export interface ResolvedSimulatedOptions {
  readonly timings: SimulatedTimings;
  readonly scheduler: Scheduler;
  readonly random: () => number;
  readonly logger: AdapterLogger;
  readonly onError: (error: unknown, context: { deviceId: string; task: string }) => void;
}

export function resolveSimulatedOptions(options: SimulatedAdapterOptions = {}): ResolvedSimulatedOptions {
  const timings = { ...DEFAULT_SIMULATED_TIMINGS, ...options.timings };
  for (const [name, value] of Object.entries(timings)) {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`timing ${name} must be a non-negative number`);
  }
  const logger = options.logger ?? SILENT_LOGGER;
  return {
    timings,
    scheduler: options.scheduler ?? new SystemScheduler(),
    random: options.random ?? Math.random,
    logger,
    onError:
      options.onError ??
      ((error, context) => logger.error('background-task-failed', { ...context, error: String(error) }))
  };
}

/** 32 random hex digits (1.x used uuid4().hex for serial numbers). */
export function randomHex(random: () => number, digits = 32): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
