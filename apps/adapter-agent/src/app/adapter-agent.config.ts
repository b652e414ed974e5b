import { hostname } from 'node:os';

import {
  ConfigError,
  decimal,
  hostPort,
  hostPortList,
  int,
  oneOf,
  port,
  readConfig,
  str
} from '@voltha/nest-common';
import type { ConfigOf, OptionSpec } from '@voltha/nest-common';
import { DEFAULT_SIMULATED_TIMINGS } from '@voltha/adapters';
import type { SimulatedTimings } from '@voltha/adapters';

/** A delay in ms of the simulated adapters; -1 (the default) = the 1.x value times --sim-timing-scale. */
const simDelay = (flag: string, env: string, what: string): OptionSpec<number> =>
  int(flag, env, -1, `${what}, ms (-1: the 1.x default x --sim-timing-scale)`, { min: -1 });

/**
 * Every setting of adapter-agent: a flag, an environment variable and a default that works on one
 * machine next to a default core-config. This is the only place that reads process.env.
 */
export const ADAPTER_AGENT_OPTIONS = {
  core: hostPort('core', 'CORE', 'localhost:50057', 'core-config gRPC address (ConfigService)'),
  kafka: hostPortList(
    'kafka',
    'KAFKA',
    [],
    'Kafka brokers, comma separated: change events are read from voltha.events and KPIs/alarms published; empty: events from the Watch stream, KPIs/alarms logged'
  ),
  kafkaGroup: str('kafka-group', 'KAFKA_GROUP', 'adapter-agent', 'Kafka consumer group of the change events'),
  kafkaMaxWaitMs: int(
    'kafka-max-wait',
    'KAFKA_MAX_WAIT',
    100,
    'Longest a Kafka fetch waits for new change events, ms (bounds the event latency on brokers that do not answer early)',
    { min: 1, max: 10000 }
  ),
  grpcHost: str('grpc-host', 'GRPC_HOST', '0.0.0.0', 'Address the gRPC server (AdapterAgentService) binds'),
  grpcPort: int('grpc-port', 'GRPC_PORT', 50060, 'gRPC port of AdapterAgentService', { min: 1, max: 65535 }),
  advertiseAddress: {
    ...str(
      'advertise-address',
      'ADVERTISE_ADDRESS',
      '',
      'host:port the core uses to call this agent (stored as Adapter.endpoint)'
    ),
    show: '<grpc-host>:<grpc-port>, localhost for 0.0.0.0',
    parse: (raw: string) => hostPort('advertise-address', 'ADVERTISE_ADDRESS', '', '').parse(raw)
  },
  probeHost: str('probe-host', 'PROBE_HOST', '0.0.0.0', 'Address of the /healthz /readyz /metrics server'),
  probePort: port(
    'probe-port',
    'PROBE_PORT',
    8081,
    'Port of the /healthz /readyz /metrics server (0: any free port)'
  ),
  instanceId: str('instance-id', 'INSTANCE_ID', hostname(), 'Instance id used in logs and Kafka client ids'),
  logLevel: oneOf('log-level', 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const, 'Log level'),
  coreTimeoutMs: int('core-timeout', 'CORE_TIMEOUT', 15000, 'Deadline of one ConfigService call, ms', {
    min: 100
  }),
  coreRetryMaxMs: int(
    'core-retry-max',
    'CORE_RETRY_MAX',
    5000,
    'Longest wait between attempts to reach core-config at start, ms',
    { min: 100 }
  ),
  txRetries: int(
    'tx-retries',
    'TX_RETRIES',
    8,
    'Retries of a transaction that hit a merge conflict (ABORTED)',
    { min: 0, max: 100 }
  ),
  simTimingScale: decimal(
    'sim-timing-scale',
    'SIM_TIMING_SCALE',
    1,
    'Factor on every simulated-adapter delay (1: the 1.x timings, 0: no delays)',
    { max: 1000 }
  ),
  simActivationDelay: simDelay(
    'sim-activation-delay',
    'SIM_ACTIVATION_DELAY',
    'adopt -> first activation step'
  ),
  simStepDelay: simDelay('sim-step-delay', 'SIM_STEP_DELAY', 'Between activation steps'),
  simDiscoveryDelay: simDelay(
    'sim-discovery-delay',
    'SIM_DISCOVERY_DELAY',
    'OLT ACTIVE -> first ONU discovery'
  ),
  simDiscoveryBatchDelay: simDelay(
    'sim-discovery-batch-delay',
    'SIM_DISCOVERY_BATCH_DELAY',
    'Between ONU discovery batches (one ONU per PON per batch)'
  ),
  simEchoDelay: simDelay('sim-echo-delay', 'SIM_ECHO_DELAY', 'OLT echo of a proxied message'),
  simRebootTime: simDelay('sim-reboot-time', 'SIM_REBOOT_TIME', 'How long a reboot keeps a device down'),
  simProxiedTimeout: simDelay(
    'sim-proxied-timeout',
    'SIM_PROXIED_TIMEOUT',
    'ONU wait for the echo of its test message before FAILED (0: forever)'
  ),
  kpiIntervalMs: int(
    'kpi-interval',
    'KPI_INTERVAL',
    DEFAULT_SIMULATED_TIMINGS.kpiIntervalMs,
    'Initial KPI period of a simulated OLT, ms (0: no KPIs)',
    { min: 0 }
  ),
  alarmIntervalMs: int(
    'alarm-interval',
    'ALARM_INTERVAL',
    DEFAULT_SIMULATED_TIMINGS.alarmIntervalMs,
    'Simulated alarm period, ms (0: no alarms)',
    { min: 0 }
  ),
  shutdownTimeoutMs: int(
    'shutdown-timeout',
    'SHUTDOWN_TIMEOUT',
    10000,
    'Time to finish adapter calls and publish KPIs/alarms on shutdown, ms',
    { min: 0 }
  )
};

export type AdapterAgentConfig = ConfigOf<typeof ADAPTER_AGENT_OPTIONS>;

export function readAdapterAgentConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env
): AdapterAgentConfig {
  return readConfig(ADAPTER_AGENT_OPTIONS, argv, env);
}

/** The address the core calls this agent at: --advertise-address, else the gRPC bind address. */
export function advertisedAddress(
  config: Pick<AdapterAgentConfig, 'advertiseAddress' | 'grpcHost' | 'grpcPort'>
): string {
  if (config.advertiseAddress) return config.advertiseAddress;
  const wildcard = config.grpcHost === '0.0.0.0' || config.grpcHost === '::' || config.grpcHost === '';
  const host = wildcard ? 'localhost' : config.grpcHost;
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.grpcPort}`;
}

/** The simulated adapters' timings: the 1.x defaults times the scale, individual flags win. */
export function simulatedTimings(config: AdapterAgentConfig): SimulatedTimings {
  const d = DEFAULT_SIMULATED_TIMINGS;
  const scaled = (explicit: number, def: number): number =>
    explicit >= 0 ? explicit : Math.round(def * config.simTimingScale);
  return {
    activationDelayMs: scaled(config.simActivationDelay, d.activationDelayMs),
    stepDelayMs: scaled(config.simStepDelay, d.stepDelayMs),
    discoveryDelayMs: scaled(config.simDiscoveryDelay, d.discoveryDelayMs),
    discoveryBatchDelayMs: scaled(config.simDiscoveryBatchDelay, d.discoveryBatchDelayMs),
    echoDelayMs: scaled(config.simEchoDelay, d.echoDelayMs),
    rebootTimeMs: scaled(config.simRebootTime, d.rebootTimeMs),
    proxiedResponseTimeoutMs: scaled(config.simProxiedTimeout, d.proxiedResponseTimeoutMs),
    kpiIntervalMs: config.kpiIntervalMs,
    alarmIntervalMs: config.alarmIntervalMs
  };
}

export { ConfigError };
