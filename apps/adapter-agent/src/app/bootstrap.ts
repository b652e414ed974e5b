import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel as kafkaLogLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import type { Logger as Pino } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

import {
  SIMULATED_OLT_ADAPTER,
  SIMULATED_ONU_ADAPTER,
  SimulatedOltAdapter,
  SimulatedOnuAdapter,
  SystemScheduler
} from '@voltha/adapters';
import type { AdapterLogger, SimulatedAdapterOptions } from '@voltha/adapters';
import { KafkaEventSource, ReliablePublisher, WatchEventSource } from '@voltha/kafka-events';
import type { ChangeEventSource, EventSourceLogger } from '@voltha/kafka-events';
import {
  createPinoLogger,
  GrpcErrorFilter,
  grpcServerOptions,
  PinoNestLogger,
  ProbeRegistry,
  startHealthServer
} from '@voltha/nest-common';

import { ConfigClient } from '../core/config-client';
import { CoreGateway } from '../core/core-gateway';
import { TreeIndex } from '../core/tree-index';
import { AdapterHost } from '../host/adapter-host';
import type { HostLogger } from '../host/adapter-host';
import { Telemetry } from '../host/telemetry';
import { advertisedAddress, simulatedTimings } from './adapter-agent.config';
import type { AdapterAgentConfig } from './adapter-agent.config';
import { AppModule } from './app.module';

export const SERVICE_VERSION = '0.1.0';

export interface RunningAdapterAgent {
  readonly grpcAddress: string;
  /** The address registered as `Adapter.endpoint`. */
  readonly endpoint: string;
  readonly probePort: number;
  readonly host: AdapterHost;
  /** Stops consuming events and serving, lets adapter calls finish, flushes KPIs/alarms. */
  close(): Promise<void>;
}

/** Thrown by a start that was asked to stop (a signal while waiting for core-config). */
export class StartAborted extends Error {
  public constructor() {
    super('start aborted');
    this.name = 'StartAborted';
  }
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StartAborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new StartAborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Rejects with StartAborted when the signal fires (never settles without one). */
const aborted = (signal?: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal?.aborted) reject(new StartAborted());
    signal?.addEventListener('abort', () => reject(new StartAborted()), { once: true });
  });

/** Waits until core-config answers (it may start after us): retries with backoff, one log line each. */
async function waitForCore(
  client: ConfigClient,
  config: AdapterAgentConfig,
  log: Pino,
  signal?: AbortSignal
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new StartAborted();
    try {
      await client.getList('/adapters');
      if (attempt > 1) log.info({ core: config.core, attempts: attempt }, 'core-config-reachable');
      return;
    } catch (e) {
      const retryInMs = Math.min(config.coreRetryMaxMs, 200 * 2 ** Math.min(attempt - 1, 10));
      log.warn(
        { core: config.core, attempt, retryInMs, error: (e as Error).message },
        'waiting-for-core-config'
      );
      await sleep(retryInMs, signal);
    }
  }
}

function hostLogger(log: Pino): HostLogger & AdapterLogger & EventSourceLogger {
  return {
    debug: (event, fields) => log.debug(fields ?? {}, event),
    info: (event, fields) => log.info(fields ?? {}, event),
    warn: (event, fields) => log.warn(fields ?? {}, event),
    error: (event, fields) => log.error(fields ?? {}, event)
  };
}

/**
 * Starts adapter-agent: probes, core-config (waited for), the adapters and their gRPC API, their
 * registration, then the change events (Kafka when configured, else core-config's Watch stream). Ready
 * once the tree is loaded and the devices already in it are reconciled.
 */
export async function startAdapterAgent(
  config: AdapterAgentConfig,
  log: Pino = createPinoLogger('adapter-agent', config.logLevel),
  signal?: AbortSignal
): Promise<RunningAdapterAgent> {
  const probes = new ProbeRegistry();
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  for (const p of ['core', 'kafka', 'grpc', 'events']) probes.register(p);
  const health = await startHealthServer({ host: config.probeHost, port: config.probePort, probes, metrics });
  log.info({ port: health.port }, 'probe-server-started');

  const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [
    { name: 'probes', run: () => health.close() }
  ];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) {
      await c.run().catch((e: Error) => log.warn({ step: c.name, error: e.message }, 'cleanup-failed'));
    }
  };
  try {
    // core-config
    const client = new ConfigClient(config.core, config.coreTimeoutMs);
    cleanups.push({ name: 'core-client', run: async () => client.close() });
    log.info({ core: config.core }, 'connecting-to-core-config');
    await waitForCore(client, config, log, signal);
    probes.set('core', 'running');
    const logger = hostLogger(log);
    const index = new TreeIndex();
    const gateway = new CoreGateway(client, index, { retries: config.txRetries, logger });

    // Kafka: KPIs and alarms out (change events in: below)
    let publisher: ReliablePublisher | undefined;
    if (config.kafka.length > 0) {
      const kafka = new Kafka({
        clientId: `adapter-agent-${config.instanceId}`,
        brokers: config.kafka,
        logLevel: kafkaLogLevel.NOTHING
      });
      const producer: Producer = kafka.producer({ allowAutoTopicCreation: true, maxInFlightRequests: 1 });
      await producer.connect();
      const pub = new ReliablePublisher(producer, {
        onError: (e, s) => log.warn({ error: e.message, pending: s.pending }, 'kafka-publish-failed')
      });
      publisher = pub;
      cleanups.push({
        name: 'kafka-producer',
        run: async () => {
          await pub
            .flush(config.shutdownTimeoutMs)
            .catch((e: Error) => log.error({ error: e.message }, 'telemetry-unpublished-at-shutdown'));
          pub.stop();
          await producer.disconnect();
        }
      });
      log.info({ brokers: config.kafka }, 'kafka-connected');
    }
    probes.set('kafka', 'running');

    // The adapters
    const callCounter = new Counter({
      name: 'voltha_adapter_calls_total',
      help: 'Adapter calls made for device changes',
      labelNames: ['adapter', 'call'],
      registers: [metrics]
    });
    const failureCounter = new Counter({
      name: 'voltha_adapter_call_failures_total',
      help: 'Device changes whose adapter call failed',
      labelNames: ['adapter', 'change'],
      registers: [metrics]
    });
    const telemetry = new Telemetry(logger, publisher);
    const host = new AdapterHost(gateway, {
      logger,
      telemetry,
      checkGaps: config.kafka.length === 0,
      onCall: (adapter, call) => callCounter.inc({ adapter, call }),
      onCallFailed: (adapter, change) => failureCounter.inc({ adapter, change })
    });
    const timings = simulatedTimings(config);
    const scheduler = new SystemScheduler();
    const adapterOptions = (adapter: string): SimulatedAdapterOptions => {
      const child = hostLogger(log.child({ component: adapter }));
      return {
        timings,
        scheduler,
        logger: child,
        onError: (error, context) =>
          child.warn('adapter-task-failed', {
            ...context,
            error: error instanceof Error ? error.message : String(error)
          })
      };
    };
    host.host(
      SIMULATED_OLT_ADAPTER,
      (agent) => new SimulatedOltAdapter(agent, adapterOptions(SIMULATED_OLT_ADAPTER))
    );
    host.host(
      SIMULATED_ONU_ADAPTER,
      (agent) => new SimulatedOnuAdapter(agent, adapterOptions(SIMULATED_ONU_ADAPTER))
    );
    await host.startAdapters();
    cleanups.push({ name: 'adapters', run: () => host.stop(config.shutdownTimeoutMs) });
    // Before the adapters stop: writes waiting for events that will no longer come go on at once.
    cleanups.push({ name: 'waiters', run: async () => gateway.releaseWaiters() });
    log.info({ adapters: host.adapters.map((a) => a.id), timings }, 'adapters-started');

    // gRPC API (up before the registration announces its address)
    const url = `${config.grpcHost}:${config.grpcPort}`;
    const endpoint = advertisedAddress(config);
    const app: INestMicroservice = await NestFactory.createMicroservice(AppModule.with({ host, endpoint }), {
      ...grpcServerOptions(url, ['adapter_agent_service.proto']),
      logger: new PinoNestLogger(log),
      bufferLogs: false
    });
    app.useGlobalFilters(new GrpcErrorFilter());
    await app.listen();
    cleanups.push({ name: 'grpc', run: () => app.close() });
    probes.set('grpc', 'running');

    const registered = await host.register(endpoint);
    log.info({ endpoint, ...registered }, 'adapters-registered');

    // Change events
    const source: ChangeEventSource =
      config.kafka.length > 0
        ? new KafkaEventSource({
            brokers: config.kafka,
            groupId: config.kafkaGroup,
            clientId: `adapter-agent-${config.instanceId}`,
            maxWaitTimeInMs: config.kafkaMaxWaitMs,
            // A new group reads the retained events too; those its first read covers are skipped by seq.
            fromBeginning: true,
            logger
          })
        : new WatchEventSource({ address: config.core, logger });
    await source.start(host);
    // First to stop: no events are handled while the rest goes down.
    cleanups.push({ name: 'events', run: () => source.stop() });
    await Promise.race([host.whenLoaded(), aborted(signal)]);
    probes.set('events', 'running');

    new Gauge({
      name: 'voltha_agent_devices',
      help: 'Devices known to the agent (all types)',
      registers: [metrics],
      collect() {
        this.set(index.deviceCount);
      }
    });
    new Gauge({
      name: 'voltha_agent_pending_calls',
      help: 'Adapter calls dispatched and not settled',
      registers: [metrics],
      collect() {
        this.set(host.pendingCalls);
      }
    });
    new Gauge({
      name: 'voltha_agent_event_seq',
      help: 'Commit sequence number of the last change event applied',
      registers: [metrics],
      collect() {
        this.set(index.seq);
      }
    });
    new Counter({
      name: 'voltha_agent_transactions_total',
      help: 'ConfigService transactions by outcome (committed, aborted, failed) and conflict retries',
      labelNames: ['outcome'],
      registers: [metrics],
      collect() {
        this.reset();
        for (const [outcome, n] of Object.entries(gateway.stats)) this.inc({ outcome }, n);
      }
    });
    new Counter({
      name: 'voltha_agent_events_total',
      help: 'Change events applied',
      registers: [metrics],
      collect() {
        this.reset();
        this.inc(host.counters.events);
      }
    });
    new Counter({
      name: 'voltha_agent_resyncs_total',
      help: 'Reads of the whole tree (the first one at start, then after lost events)',
      registers: [metrics],
      collect() {
        this.reset();
        this.inc(host.counters.resyncs);
      }
    });

    log.info(
      { grpc: url, endpoint, probe: health.port, core: config.core, events: source.kind },
      'adapter-agent-ready'
    );
    return { grpcAddress: url, endpoint, probePort: health.port, host, close: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
