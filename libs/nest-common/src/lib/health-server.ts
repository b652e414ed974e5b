import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

import type { ProbeRegistry } from './probes';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The HTTP side port of every service: GET /healthz (liveness), /readyz (readiness) and /metrics
 * (Prometheus text format). Both probes answer 200 or 503 with a JSON body of subsystem statuses.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  probes: ProbeRegistry;
  metrics: Registry;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/healthz' || url === '/readyz') {
      const ok = url === '/healthz' ? options.probes.isHealthy() : options.probes.isReady();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', probes: options.probes.snapshot() }));
      return;
    }
    if (url === '/metrics') {
      options.metrics.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message)
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  };
}
