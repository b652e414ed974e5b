import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger as Pino } from 'pino';

import { KafkaEventSource, WatchEventSource } from '@voltha/kafka-events';
import type { ChangeEventSource, EventSourceLogger } from '@voltha/kafka-events';
import {
  createPinoLogger,
  GrpcErrorFilter,
  grpcServerOptions,
  PinoNestLogger,
  ProbeRegistry,
  startHealthServer
} from '@voltha/nest-common';

import { DryRun } from '../api/dry-run';
import { CoreClient } from '../core/core-client';
import { DecomposerService } from '../decomposer/decomposer.service';
import { DecomposerMetrics } from '../decomposer/metrics';
import { AppModule } from './app.module';
import type { FlowDecomposerConfig } from './flow-decomposer.config';

export interface RunningFlowDecomposer {
  readonly grpcAddress: string;
  readonly probePort: number;
  readonly decomposer: DecomposerService;
  /** Stops following events, lets the batch in progress finish, stops serving. */
  close(): Promise<void>;
}

/**
 * Starts flow-decomposer: probes and metrics, the gRPC API, then (in the background) the first
 * full reconcile and the event source. Until core-config answers it waits with backoff and is not
 * ready (/readyz 503); it never exits because core-config is not up yet.
 */
export async function startFlowDecomposer(
  config: FlowDecomposerConfig,
  log: Pino = createPinoLogger('flow-decomposer', config.logLevel)
): Promise<RunningFlowDecomposer> {
  const probes = new ProbeRegistry();
  for (const p of ['core', 'events', 'grpc']) probes.register(p);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const health = await startHealthServer({
    host: config.probeHost,
    port: config.probePort,
    probes,
    metrics: registry
  });
  log.info({ port: health.port }, 'probe-server-started');

  const cleanups: Array<() => Promise<unknown>> = [async () => health.close()];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse())
      await c().catch((e: Error) => log.warn({ error: e.message }, 'cleanup-failed'));
  };
  try {
    const core = new CoreClient(config.core);
    cleanups.push(async () => core.close());
    const sourceLog: EventSourceLogger = {
      info: (event, fields) => log.info(fields ?? {}, event),
      warn: (event, fields) => log.warn(fields ?? {}, event)
    };
    const batching = { batchMax: config.batchMax, batchWaitMs: config.batchWaitMs, logger: sourceLog };
    // Every instance needs every event (its state covers whole logical devices): one consumer
    // group per instance.
    const source: ChangeEventSource =
      config.kafka.length > 0
        ? new KafkaEventSource({
            brokers: config.kafka,
            groupId: `flow-decomposer-${config.instanceId}`,
            clientId: `flow-decomposer-${config.instanceId}`,
            topic: config.eventsTopic,
            pathPrefixes: ['/logical_devices/', '/devices/'],
            maxWaitTimeInMs: config.kafkaMaxWaitMs,
            // A new group reads the retained events too; those the first read covers are skipped by seq.
            fromBeginning: true,
            ...batching
          })
        : new WatchEventSource({ address: config.core, pathPrefix: '', ...batching });
    // The gauges read the service, which itself reports through the metrics.
    const ref: { service?: DecomposerService } = {};
    const metrics = new DecomposerMetrics(registry, probes, {
      failedFlows: () => ref.service?.state.failedFlowCount ?? 0,
      logicalFlows: () => ref.service?.state.logicalFlowCount ?? 0,
      deviceFlows: () => ref.service?.state.deviceFlowCount ?? 0,
      lastSeq: () => ref.service?.lastSeq ?? 0,
      staleEvents: () => ref.service?.state.staleEvents ?? 0,
      echoes: () => ref.service?.echoesIgnored ?? 0
    });
    const service = new DecomposerService(
      core,
      source,
      { writeConcurrency: config.writeConcurrency, batchWaitMs: config.batchWaitMs },
      log,
      metrics
    );
    ref.service = service;
    cleanups.push(() => service.stop(config.shutdownTimeoutMs));

    const url = `${config.grpcHost}:${config.grpcPort}`;
    const app: INestMicroservice = await NestFactory.createMicroservice(
      AppModule.with({ decomposer: service, dryRun: new DryRun(core) }),
      {
        ...grpcServerOptions(url, ['flow_decomposer_service.proto']),
        logger: new PinoNestLogger(log),
        bufferLogs: false
      }
    );
    app.useGlobalFilters(new GrpcErrorFilter());
    await app.listen();
    cleanups.push(() => app.close());
    probes.set('grpc', 'running');
    log.info(
      {
        grpc: url,
        probe: health.port,
        core: config.core,
        source: source.kind,
        batchMax: config.batchMax,
        batchWaitMs: config.batchWaitMs
      },
      'flow-decomposer-serving'
    );
    void service.start().catch((e: Error) => {
      probes.set('events', 'failed', e.message);
      log.error({ error: e.message }, 'event-source-failed');
    });

    return { grpcAddress: url, probePort: health.port, decomposer: service, close: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
