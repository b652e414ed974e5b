import { ConfigError, createPinoLogger } from '@voltha/nest-common';

import { startRestGateway } from './app/rest-gateway';
import { readRestGatewayConfig, restGatewayHelp } from './app/rest-gateway.config';
import type { RestGatewayConfig } from './app/rest-gateway.config';

/**
 * rest-gateway entry point: read the settings, start, and stop gracefully on SIGTERM/SIGINT (a second
 * signal exits at once). Exit codes: 0 stopped, 1 failed, 2 bad settings.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(restGatewayHelp());
    return;
  }
  let config: RestGatewayConfig;
  try {
    config = readRestGatewayConfig(argv);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`rest-gateway: ${e.problems.join('\n  ')}\n\n${restGatewayHelp()}`);
    process.exit(2);
  }
  const logger = createPinoLogger('rest-gateway', config.logLevel);
  let gateway;
  try {
    gateway = await startRestGateway(config, logger, { defaultMetrics: true });
  } catch (e) {
    logger.fatal({ err: e }, 'start failed');
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
