import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ProbeRegistry, startHealthServer } from '@voltha/nest-common';
import type { HealthServer } from '@voltha/nest-common';
import { registry } from '@voltha/proto';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';

import { GatewayHandler } from '../gateway/http-gateway';
import { buildOpenApi } from '../gateway/openapi';
import type { OpenApiDocument } from '../gateway/openapi';
import { openApiPath } from '../gateway/path-template';
import { buildRouteTable } from '../gateway/route-table';
import type { RouteTable } from '../gateway/route-table';
import { Upstream } from '../gateway/upstream';
import type { RestGatewayConfig } from './rest-gateway.config';

/** The services the gateway serves; their RPCs are hosted by core-config. */
export const GATEWAY_SERVICES = ['voltha.VolthaService'] as const;

const VERSION = '0.1.0';

export interface RestGateway {
  readonly httpPort: number;
  readonly probePort: number;
  readonly table: RouteTable;
  readonly openapi: OpenApiDocument;
  /** Stops accepting, ends event streams, waits for requests in flight (up to the shutdown timeout). */
  close(): Promise<void>;
}

/**
 * Starts the gateway: route table and OpenAPI document from the descriptors, one gRPC channel to
 * core-config, the REST server and the probe server. Resolves once both servers listen.
 */
export async function startRestGateway(
  config: RestGatewayConfig,
  logger: Logger,
  options: { defaultMetrics?: boolean } = {}
): Promise<RestGateway> {
  const table = buildRouteTable(registry, GATEWAY_SERVICES);
  for (const s of table.skipped) logger.info({ rpc: s.rpc, reason: s.reason }, 'rpc not exposed');
  logger.debug(
    { routes: table.routes.map((r) => `${r.httpMethod} ${openApiPath(r.template)} -> ${r.grpcPath}`) },
    'routes'
  );
  const openapi = buildOpenApi(table.routes, { title: 'VOLTHA REST API', version: VERSION });

  const metrics = new MetricsRegistry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: metrics });
  const requests = new Counter({
    name: 'rest_gateway_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [metrics]
  });
  const duration = new Histogram({
    name: 'rest_gateway_request_duration_seconds',
    help: 'HTTP request duration by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics]
  });
  const streams = new Gauge({
    name: 'rest_gateway_event_streams',
    help: 'Open Server-Sent Event streams',
    registers: [metrics]
  });
  const upstreamReady = new Gauge({
    name: 'rest_gateway_upstream_ready',
    help: '1 while the gRPC channel to core-config is READY',
    registers: [metrics]
  });

  const probes = new ProbeRegistry();
  probes.register('http');

  const upstream = new Upstream({
    address: config.voltha,
    requestTimeoutMs: config.requestTimeoutMs,
    reconnectMaxBackoffMs: config.reconnectMaxBackoffMs
  });
  let lastState = upstream.state(true); // connect now, not on the first request
  upstreamReady.set(lastState === 'READY' ? 1 : 0);
  upstream.watch((state) => {
    upstreamReady.set(state === 'READY' ? 1 : 0);
    if (state === lastState) return;
    const fields = { upstream: config.voltha, state, previous: lastState };
    if (state === 'TRANSIENT_FAILURE') logger.warn(fields, 'core-config unreachable');
    else logger.info(fields, 'core-config channel state');
    lastState = state;
  });

  const handler = new GatewayHandler({
    table,
    registry,
    upstream,
    openapi,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    observer: {
      request: (method, route, status, seconds) => {
        requests.inc({ method, route, status: String(status) });
        duration.observe({ method, route }, seconds);
      },
      streams: (open) => streams.set(open)
    }
  });

  const server: Server = createServer((req, res) => handler.handle(req, res));
  server.keepAliveTimeout = 65_000; // above the usual 60 s of load balancers
  let health: HealthServer | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.httpPort, config.httpHost, () => {
        server.off('error', reject);
        resolve();
      });
    });
    health = await startHealthServer({ host: config.probeHost, port: config.probePort, probes, metrics });
  } catch (e) {
    upstream.close();
    server.close();
    throw e;
  }
  probes.set('http', 'running');
  const httpPort = (server.address() as AddressInfo).port;
  logger.info(
    {
      http: `${config.httpHost}:${httpPort}`,
      probes: `${config.probeHost}:${health.port}`,
      upstream: config.voltha,
      routes: table.routes.length
    },
    'rest-gateway listening'
  );

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    probes.set('http', 'stopped');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    handler.endStreams();
    server.closeIdleConnections();
    const deadline = Date.now() + config.shutdownTimeoutMs;
    while (handler.busy > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (handler.busy > 0) logger.warn({ inflight: handler.busy }, 'shutdown timeout: dropping requests');
    server.closeAllConnections();
    await closed;
    upstream.close();
    await health!.close();
    logger.info('rest-gateway stopped');
  };
  return {
    httpPort,
    probePort: health.port,
    table,
    openapi,
    close: () => (closing ??= close())
  };
}
