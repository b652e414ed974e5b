import { hostname } from 'node:os';

import { hostPort, hostPortList, int, oneOf, port, readConfig, str } from '@voltha/nest-common';
import type { ConfigOf } from '@voltha/nest-common';

/**
 * Every setting of flow-decomposer: a flag, an environment variable and a default that works on a
 * single machine next to core-config. This is the only place that reads process.env.
 */
export const FLOW_DECOMPOSER_OPTIONS = {
  core: hostPort('core', 'CORE', 'localhost:50057', 'core-config gRPC address (ConfigService)'),
  kafka: hostPortList(
    'kafka',
    'KAFKA',
    [],
    'Kafka brokers, comma separated: consume change events from Kafka; empty: from ConfigService.Watch'
  ),
  eventsTopic: str('events-topic', 'EVENTS_TOPIC', 'voltha.events', 'Kafka topic of change events'),
  kafkaMaxWaitMs: int(
    'kafka-max-wait',
    'KAFKA_MAX_WAIT',
    100,
    'Longest a Kafka fetch waits for new change events, ms (bounds the event latency on brokers that do not answer early)',
    { min: 1, max: 10000 }
  ),
  grpcHost: str('grpc-host', 'GRPC_HOST', '0.0.0.0', 'Address the gRPC server binds'),
  grpcPort: port('grpc-port', 'GRPC_PORT', 50059, 'gRPC port of FlowDecomposerService'),
  probeHost: str('probe-host', 'PROBE_HOST', '0.0.0.0', 'Address of the /healthz /readyz /metrics server'),
  probePort: port(
    'probe-port',
    'PROBE_PORT',
    8083,
    'Port of the /healthz /readyz /metrics server (0: any free port)'
  ),
  batchMax: int('batch-max', 'BATCH_MAX', 1000, 'Most change events applied and written in one batch', {
    min: 1,
    max: 100000
  }),
  batchWaitMs: int(
    'batch-wait-ms',
    'BATCH_WAIT_MS',
    20,
    'How long a batch waits for more events after the first one, and the shortest time between two write transactions under load, ms',
    { min: 0, max: 10000 }
  ),
  writeConcurrency: int(
    'write-concurrency',
    'WRITE_CONCURRENCY',
    32,
    'ConfigService writes in flight inside one transaction',
    { min: 1, max: 1024 }
  ),
  instanceId: str(
    'instance-id',
    'INSTANCE_ID',
    hostname(),
    'Instance id (logs; Kafka consumer group flow-decomposer-<id>: every instance reads every event)'
  ),
  logLevel: oneOf('log-level', 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const, 'Log level'),
  shutdownTimeoutMs: int(
    'shutdown-timeout',
    'SHUTDOWN_TIMEOUT',
    10000,
    'Time to finish the batch in progress on shutdown, ms',
    { min: 0 }
  )
};

export type FlowDecomposerConfig = ConfigOf<typeof FLOW_DECOMPOSER_OPTIONS>;

export function readFlowDecomposerConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env
): FlowDecomposerConfig {
  return readConfig(FLOW_DECOMPOSER_OPTIONS, argv, env);
}
