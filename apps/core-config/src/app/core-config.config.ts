import { hostname } from 'node:os';
import { join } from 'node:path';

import { bool, hostPort, hostPortList, int, oneOf, port, str } from '@voltha/nest-common';
import type { ConfigOf } from '@voltha/nest-common';

/**
 * Every setting of core-config: a flag, an environment variable (VOLTHA's names where it had them)
 * and a default that serves a single machine with nothing else installed. This is the only place
 * that reads process.env.
 */
export const CORE_CONFIG_OPTIONS = {
  backend: oneOf(
    'backend',
    'BACKEND',
    'embedded',
    ['embedded', 'consul', 'etcd', 'none'] as const,
    'KV store for the config tree: embedded LMDB, Consul, etcd, or none (in memory, nothing persisted)'
  ),
  consul: hostPort('consul', 'CONSUL', 'localhost:8500', 'Consul agent address (backend consul)'),
  consulToken: { ...str('consul-token', 'CONSUL_TOKEN', '', 'Consul ACL token'), show: '(none)' },
  etcd: hostPortList('etcd', 'ETCD', ['localhost:2379'], 'etcd endpoints, comma separated (backend etcd)'),
  kvTls: bool('kv-tls', 'KV_TLS', false, 'Use TLS to reach Consul or etcd'),
  kvTlsCa: str('kv-tls-ca', 'KV_TLS_CA', '', 'CA certificate file for the KV TLS connection'),
  kvTlsCert: str('kv-tls-cert', 'KV_TLS_CERT', '', 'Client certificate file for the KV TLS connection'),
  kvTlsKey: str('kv-tls-key', 'KV_TLS_KEY', '', 'Client key file for the KV TLS connection'),
  kvTimeoutMs: int('kv-timeout', 'KV_TIMEOUT', 5000, 'Timeout of one KV request, in ms', { min: 100 }),
  dataDir: str(
    'data-dir',
    'DATA_DIR',
    join(process.cwd(), 'data'),
    'Directory of the embedded store and the journal'
  ),
  coreStoreId: str(
    'core-store-id',
    'CORE_STORE_ID',
    '0001',
    'Core store id (4 hex digits): key prefix and id prefix'
  ),
  writeMode: oneOf(
    'write-mode',
    'WRITE_MODE',
    'sync',
    ['sync', 'journal'] as const,
    'sync: acknowledge after the KV commit; journal: after an fsync-ed local journal append'
  ),
  writeQueueSize: int(
    'write-queue-size',
    'WRITE_QUEUE_SIZE',
    10000,
    'Mutations waiting for the KV before UNAVAILABLE',
    {
      min: 1
    }
  ),
  historySize: int(
    'history-size',
    'HISTORY_SIZE',
    1000,
    'Root revisions kept in history (besides tagged ones)',
    {
      min: 1
    }
  ),
  eventHistory: int('event-history', 'EVENT_HISTORY', 10000, 'Change events kept for Watch resume', {
    min: 1
  }),
  lockTtlSeconds: int('lock-ttl', 'LOCK_TTL', 10, 'TTL of the store lock, in seconds', { min: 1, max: 3600 }),
  kafka: hostPortList(
    'kafka',
    'KAFKA',
    [],
    'Kafka brokers, comma separated; empty: events only on the gRPC streams'
  ),
  eventsTopic: str('events-topic', 'EVENTS_TOPIC', 'voltha.events', 'Kafka topic of change events'),
  grpcHost: str('grpc-host', 'GRPC_HOST', '0.0.0.0', 'Address the gRPC server binds'),
  grpcPort: port('grpc-port', 'GRPC_PORT', 50057, 'gRPC port of VolthaService and ConfigService'),
  probeHost: str('probe-host', 'PROBE_HOST', '0.0.0.0', 'Address of the /healthz /readyz /metrics server'),
  probePort: port(
    'probe-port',
    'PROBE_PORT',
    8080,
    'Port of the /healthz /readyz /metrics server (0: any free port)'
  ),
  instanceId: str('instance-id', 'INSTANCE_ID', hostname(), 'Instance id reported by GetVoltha and in logs'),
  logLevel: oneOf('log-level', 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const, 'Log level'),
  shutdownTimeoutMs: int(
    'shutdown-timeout',
    'SHUTDOWN_TIMEOUT',
    10000,
    'Time to drain writes and events on shutdown, ms',
    {
      min: 0
    }
  )
};

export type CoreConfig = ConfigOf<typeof CORE_CONFIG_OPTIONS>;
