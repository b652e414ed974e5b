import { ConfigError } from '@voltha/nest-common';

import { readRestGatewayConfig, restGatewayHelp } from './rest-gateway.config';

describe('rest-gateway settings', () => {
  it('should default to core-config on localhost:50057 and Chameleon port 8881', () => {
    expect(readRestGatewayConfig([], {})).toEqual({
      voltha: 'localhost:50057',
      httpHost: '0.0.0.0',
      httpPort: 8881,
      probeHost: '0.0.0.0',
      probePort: 8082,
      logLevel: 'info',
      requestTimeoutMs: 10000,
      reconnectMaxBackoffMs: 2000,
      maxBodyBytes: 4194304,
      shutdownTimeoutMs: 10000
    });
  });

  it('should read flags over environment variables', () => {
    const config = readRestGatewayConfig(
      [
        '--voltha',
        'core-config:50057',
        '--http-port=9000',
        '--log-level',
        'debug',
        '--request-timeout',
        '2500'
      ],
      { VOLTHA: 'ignored:1', HTTP_PORT: '1', PROBE_PORT: '9090', HTTP_HOST: '127.0.0.1' }
    );
    expect(config).toMatchObject({
      voltha: 'core-config:50057',
      httpPort: 9000,
      probePort: 9090,
      httpHost: '127.0.0.1',
      logLevel: 'debug',
      requestTimeoutMs: 2500
    });
  });

  it('should report every bad setting at once', () => {
    let error: ConfigError | undefined;
    try {
      readRestGatewayConfig(['--voltha', 'nohost', '--http-port', '70000', '--bogus=x'], {
        LOG_LEVEL: 'loud',
        REQUEST_TIMEOUT: '5'
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'unknown flag --bogus',
      "--voltha: 'nohost' is not host:port",
      '--http-port: 70000 is above the maximum 65535',
      "LOG_LEVEL: 'loud' is not one of debug, info, warn, error",
      'REQUEST_TIMEOUT: 5 is below the minimum 100'
    ]);
  });

  it('should describe every flag', () => {
    const help = restGatewayHelp();
    for (const flag of [
      '--voltha',
      '--http-port',
      '--http-host',
      '--probe-port',
      '--log-level',
      '--request-timeout'
    ]) {
      expect(help).toContain(flag);
    }
  });
});
