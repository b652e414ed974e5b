import { describeOptions, hostPort, int, oneOf, port, readConfig, str } from '@voltha/nest-common';
import type { ConfigOf } from '@voltha/nest-common';

/**
 * Every setting of rest-gateway: a flag, an environment variable and a default (Chameleon's REST
 * port 8881, core-config's gRPC port 50057). This is the only place that reads process.env.
 */
export const REST_GATEWAY_OPTIONS = {
  voltha: hostPort('voltha', 'VOLTHA', 'localhost:50057', 'gRPC address of core-config (VolthaService)'),
  httpHost: str('http-host', 'HTTP_HOST', '0.0.0.0', 'Address the REST server binds'),
  httpPort: port('http-port', 'HTTP_PORT', 8881, 'Port of the REST server (0: any free port)'),
  probeHost: str('probe-host', 'PROBE_HOST', '0.0.0.0', 'Address of the /healthz /readyz /metrics server'),
  probePort: port(
    'probe-port',
    'PROBE_PORT',
    8082,
    'Port of the /healthz /readyz /metrics server (0: any free port)'
  ),
  logLevel: oneOf('log-level', 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const, 'Log level'),
  requestTimeoutMs: int(
    'request-timeout',
    'REQUEST_TIMEOUT',
    10000,
    'Deadline of one gRPC call, ms (exceeded: HTTP 504)',
    { min: 100, max: 600000 }
  ),
  reconnectMaxBackoffMs: int(
    'reconnect-max-backoff',
    'RECONNECT_MAX_BACKOFF',
    2000,
    'Longest wait between reconnect attempts to core-config, ms',
    { min: 100, max: 120000 }
  ),
  maxBodyBytes: int('max-body-size', 'MAX_BODY_SIZE', 4 * 1024 * 1024, 'Largest request body, bytes', {
    min: 1024
  }),
  shutdownTimeoutMs: int(
    'shutdown-timeout',
    'SHUTDOWN_TIMEOUT',
    10000,
    'Time given to requests in flight on shutdown, ms',
    { min: 0 }
  )
};

export type RestGatewayConfig = ConfigOf<typeof REST_GATEWAY_OPTIONS>;

export function readRestGatewayConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env
): RestGatewayConfig {
  return readConfig(REST_GATEWAY_OPTIONS, argv, env);
}

export function restGatewayHelp(): string {
  return `usage: rest-gateway [flags]\n\n${describeOptions(REST_GATEWAY_OPTIONS)}\n`;
}
