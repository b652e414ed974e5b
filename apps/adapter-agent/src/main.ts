import 'reflect-metadata';

import { ConfigError, createPinoLogger } from '@voltha/nest-common';

import { adapterAgentHelp, readAdapterAgentConfig } from './app/adapter-agent.config';
import { StartAborted, startAdapterAgent } from './app/bootstrap';
import type { RunningAdapterAgent } from './app/bootstrap';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(adapterAgentHelp());
    return;
  }
  let config;
  try {
    config = readAdapterAgentConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`adapter-agent: ${e.message}\n${adapterAgentHelp()}`);
      process.exit(2);
    }
    throw e;
  }
  const log = createPinoLogger('adapter-agent', config.logLevel);
  const aborter = new AbortController();
  let running: RunningAdapterAgent | undefined;
  let stopping = false;
  const shutdown = (agent: RunningAdapterAgent): void => {
    agent.close().then(
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
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting-down');
    aborter.abort();
    if (running) shutdown(running); // else the start notices the abort
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    running = await startAdapterAgent(config, log, aborter.signal);
  } catch (e) {
    if (e instanceof StartAborted) {
      log.info('stopped');
      process.exit(0);
    }
    log.fatal({ error: (e as Error).message, stack: (e as Error).stack }, 'start-failed');
    process.exit(1);
  }
  if (stopping) shutdown(running);
}

void main();
