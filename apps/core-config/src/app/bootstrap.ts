import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger as Pino } from 'pino';

import { ConfigRoot, volthaSchema } from '@voltha/config-tree';
import { checkCoreStoreId } from '@voltha/device-lifecycle';
import { ReliablePublisher } from '@voltha/kafka-events';
import { coreStorePrefix, createKvStore } from '@voltha/kv';
import type { CreateKvStoreOptions, KvLock, KvStore } from '@voltha/kv';
import {
  createPinoLogger,
  GrpcErrorFilter,
  grpcServerOptions,
  PinoNestLogger,
  ProbeRegistry,
  startHealthServer
} from '@voltha/nest-common';
import { KvTreeStore, LOCK_KEY } from '@voltha/persistence';
import { HealthStatus, HealthStatus_HealthState, VolthaInstance } from '@voltha/proto';

import { EventHub } from '../events/event-hub';
import { GrpcAdapterCaller } from '../voltha/adapter-client';
import { DevicesService } from '../voltha/devices.service';
import { FlowsService } from '../voltha/flows.service';
import { AppModule } from './app.module';
import type { CoreConfig } from './core-config.config';

/** Version reported by GetVoltha and stored as the tree's `version`. */
export const CORE_CONFIG_VERSION = '0.1.0';

export interface RunningCoreConfig {
  readonly grpcAddress: string;
  readonly probePort: number;
  readonly root: ConfigRoot;
  /** Stops serving, drains the write queue and the event publisher, releases the lock. */
  close(): Promise<void>;
}

function kvOptions(config: CoreConfig): CreateKvStoreOptions | undefined {
  const prefix = coreStorePrefix(config.coreStoreId);
  const retry = { requestTimeoutMs: config.kvTimeoutMs };
  const lockTtlMs = config.lockTtlSeconds * 1000;
  const tls =
    config.kvTls || config.kvTlsCa
      ? {
          ca: config.kvTlsCa ? readFileSync(config.kvTlsCa) : undefined,
          cert: config.kvTlsCert ? readFileSync(config.kvTlsCert) : undefined,
          key: config.kvTlsKey ? readFileSync(config.kvTlsKey) : undefined
        }
      : undefined;
  switch (config.backend) {
    case 'none':
      return undefined;
    case 'embedded':
      return { backend: 'embedded', path: join(config.dataDir, 'kv'), prefix, retry, lockTtlMs };
    case 'etcd':
      return {
        backend: 'etcd',
        endpoints: config.etcd,
        prefix,
        retry,
        lockTtlMs,
        tls
      } as CreateKvStoreOptions;
    case 'consul':
      return {
        backend: 'consul',
        address: config.consul,
        token: config.consulToken || undefined,
        prefix,
        retry,
        lockTtlMs,
        tls
      } as CreateKvStoreOptions;
  }
}

/**
 * Starts core-config in the order the design asks for: probes, KV store (and the store lock: a
 * standby waits here), journal replay and tree load, Kafka, then the gRPC APIs. Any failure before
 * the APIs are up stops the start loudly; nothing half-working is served.
 */
export async function startCoreConfig(
  config: CoreConfig,
  log: Pino = createPinoLogger('core-config', config.logLevel)
): Promise<RunningCoreConfig> {
  checkCoreStoreId(config.coreStoreId);
  const probes = new ProbeRegistry();
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  for (const p of ['kv', 'tree', 'kafka', 'grpc']) probes.register(p);
  const health = await startHealthServer({ host: config.probeHost, port: config.probePort, probes, metrics });
  log.info({ port: health.port }, 'probe-server-started');

  const cleanups: Array<() => Promise<unknown>> = [async () => health.close()];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse())
      await c().catch((e: Error) => log.warn({ error: e.message }, 'cleanup-failed'));
  };
  try {
    // KV store and lock
    let kv: KvStore | undefined;
    let lock: KvLock | undefined;
    let store: KvTreeStore | undefined;
    const kvOpts = kvOptions(config);
    if (kvOpts) {
      if (config.backend === 'embedded') mkdirSync(config.dataDir, { recursive: true });
      kv = createKvStore(kvOpts);
      const kvRef = kv;
      cleanups.push(() => kvRef.close());
      log.info({ backend: config.backend, prefix: kv.prefix }, 'kv-connected');
      log.info({ key: LOCK_KEY }, 'waiting-for-store-lock');
      lock = await kv.lock(LOCK_KEY, { owner: config.instanceId });
      log.info({ token: lock.token }, 'store-lock-acquired');
      store = await KvTreeStore.open({
        kv,
        mode: config.writeMode,
        journalPath: join(config.dataDir, `journal-${config.coreStoreId}`),
        maxQueued: config.writeQueueSize,
        fence: lock,
        logger: {
          info: (event, fields) => log.info(fields ?? {}, event),
          warn: (event, fields) => log.warn(fields ?? {}, event),
          error: (event, fields) => log.error(fields ?? {}, event)
        },
        onFenced: (reason) => {
          probes.set('kv', 'failed', reason);
          log.fatal({ reason }, 'store-lock-lost-stepping-down');
          process.exitCode = 2;
          setTimeout(() => process.exit(2), 100).unref();
        }
      });
    }
    probes.set('kv', 'running');

    // The tree
    const initial = VolthaInstance.fromPartial({
      instanceId: config.instanceId,
      version: CORE_CONFIG_VERSION,
      logLevel: 1,
      health: HealthStatus.fromPartial({ state: HealthStatus_HealthState.HEALTHY })
    });
    const treeOptions = {
      historySize: config.historySize,
      logger: { warn: (event: string, fields?: Record<string, unknown>) => log.warn(fields ?? {}, event) }
    };
    const root = store
      ? await ConfigRoot.open(initial, { ...treeOptions, store })
      : await ConfigRoot.create(initial, treeOptions);
    cleanups.push(async () => {
      await store?.close(config.shutdownTimeoutMs);
      await root.close();
      await lock?.release();
    });
    log.info({ rootHash: root.latestHash, seq: root.seq }, 'tree-loaded');
    probes.set('tree', 'running');
    if (store) {
      void root.sweepOrphans().then(
        (n) => n > 0 && log.info({ deleted: n }, 'orphan-blobs-swept'),
        (e: Error) => log.warn({ error: e.message }, 'orphan-sweep-failed')
      );
    }

    // Events: gRPC streams always, Kafka when configured
    let producer: Producer | undefined;
    let publisher: ReliablePublisher | undefined;
    if (config.kafka.length > 0) {
      const kafka = new Kafka({
        clientId: `core-config-${config.instanceId}`,
        brokers: config.kafka,
        logLevel: kafkaLogLevel.NOTHING
      });
      producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
      await producer.connect();
      publisher = new ReliablePublisher(producer, {
        onError: (e, s) => log.warn({ error: e.message, pending: s.pending }, 'kafka-publish-failed')
      });
      const p = publisher;
      const prod = producer;
      cleanups.push(async () => {
        await p
          .flush(config.shutdownTimeoutMs)
          .catch((e: Error) => log.error({ error: e.message }, 'events-unpublished-at-shutdown'));
        p.stop();
        await prod.disconnect();
      });
      log.info({ brokers: config.kafka, topic: config.eventsTopic }, 'kafka-connected');
    }
    probes.set('kafka', 'running');
    if (publisher) {
      // Health shows the publisher's counts; readiness drops while events cannot be delivered.
      const p = publisher;
      const timer = setInterval(() => {
        const st = p.getStats();
        const detail = `pending=${st.pending} published=${st.published} failedAttempts=${st.failedAttempts}`;
        probes.set(
          'kafka',
          st.lastError ? 'preparing' : 'running',
          st.lastError ? `${detail} lastError=${st.lastError}` : detail
        );
      }, 1000);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }
    const events = new EventHub(
      volthaSchema(),
      'voltha.VolthaInstance',
      config.eventHistory,
      root.seq,
      publisher ? { publisher, topic: config.eventsTopic } : undefined
    );
    const adapterCaller = new GrpcAdapterCaller(root);
    cleanups.push(async () => adapterCaller.close());
    const devices = new DevicesService(root, config.coreStoreId, adapterCaller);
    await devices.init();
    const flows = new FlowsService(root);
    events.attach(root);
    const onEvent = events.subscribe('', undefined, (e) => {
      devices.onEvent(e);
      flows.onEvent(e);
      return true;
    });
    cleanups.push(async () => {
      onEvent.close();
      events.detach();
    });

    // Metrics
    new Gauge({
      name: 'voltha_config_seq',
      help: 'Commit sequence number of the config tree',
      registers: [metrics],
      collect() {
        this.set(root.seq);
      }
    });
    new Gauge({
      name: 'voltha_events_pending',
      help: 'Change events not yet acknowledged by Kafka',
      registers: [metrics],
      collect() {
        this.set(publisher?.getStats().pending ?? 0);
      }
    });
    new Counter({
      name: 'voltha_events_publish_failures_total',
      help: 'Failed Kafka publish attempts (each retried)',
      registers: [metrics],
      collect() {
        this.reset();
        this.inc(publisher?.getStats().failedAttempts ?? 0);
      }
    });
    new Gauge({
      name: 'voltha_write_queue_depth',
      help: 'Mutations waiting for the KV store',
      registers: [metrics],
      collect() {
        this.set(store?.getStats().queued ?? 0);
      }
    });
    new Gauge({
      name: 'voltha_watchers',
      help: 'Open Watch / ReceiveChangeEvents streams',
      registers: [metrics],
      collect() {
        this.set(events.watchers - 1);
      }
    });

    // gRPC
    const url = `${config.grpcHost}:${config.grpcPort}`;
    const app: INestMicroservice = await NestFactory.createMicroservice(
      AppModule.with({ root, devices, flows, events, version: CORE_CONFIG_VERSION }),
      {
        ...grpcServerOptions(url, ['voltha_service.proto', 'config_service.proto']),
        logger: new PinoNestLogger(log),
        bufferLogs: false
      }
    );
    app.useGlobalFilters(new GrpcErrorFilter());
    await app.listen();
    cleanups.push(() => app.close());
    probes.set('grpc', 'running');
    log.info(
      { grpc: url, probe: health.port, backend: config.backend, writeMode: config.writeMode },
      'core-config-ready'
    );

    return {
      grpcAddress: url,
      probePort: health.port,
      root,
      close: cleanup
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
