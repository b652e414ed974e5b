import 'reflect-metadata';

import { ConfigError, createPinoLogger } from '@voltha/nest-common';

import { startFlowDecomposer } from './app/bootstrap';
import { flowDecomposerHelp, readFlowDecomposerConfig } from './app/flow-decomposer.config';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(flowDecomposerHelp());
    return;
  }
  let config;
  try {
    config = readFlowDecomposerConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`flow-decomposer: ${e.message}\n${flowDecomposerHelp()}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createPinoLogger('flow-decomposer', config.logLevel);
  const running = await startFlowDecomposer(config, log).catch((e: Error) => {
    log.fatal({ error: e.message, stack: e.stack }, 'start-failed');
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting-down');
    running.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e: Error) => {
        log.error({ error: e.message }, 'shutdown-failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
