import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { stopChild, trackChild } from '../process/child-registry';

export interface StartKafkaMockOptions {
  /** Number of mock brokers (default 3). */
  readonly brokers?: number;
  /** Path of tools/scripts/kafka-mock.sh (default: found from this file up to the repo root). */
  readonly scriptPath?: string;
  /** kcat binary passed to the script as $KCAT (default: the script's default, "kcat"). */
  readonly kcat?: string;
  /** How long to wait for the bootstrap servers line (default 15s). */
  readonly startTimeoutMs?: number;
}

export interface KafkaMock {
  /** Broker addresses, e.g. `['127.0.0.1:40001', '127.0.0.1:40002', '127.0.0.1:40003']`. */
  readonly brokers: readonly string[];
  /** The same, comma separated (the form VOLTHA's `--kafka` flag and librdkafka take). */
  readonly bootstrapServers: string;
  /** Stop kcat and its mock cluster. Idempotent. */
  stop(): Promise<void>;
}

/** Find tools/scripts/kafka-mock.sh by walking up from this file. */
export function findKafkaMockScript(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'tools', 'scripts', 'kafka-mock.sh');
    if (existsSync(candidate)) {
      return candidate;
    }
    const parent = resolve(dir, '..');
    if (parent === dir) {
      throw new Error('kafka mock: tools/scripts/kafka-mock.sh not found above ' + from);
    }
    dir = parent;
  }
}

/**
 * Start librdkafka's mock Kafka cluster through tools/scripts/kafka-mock.sh (kcat) and return its
 * bootstrap servers. Topics are auto-created on first produce; consumer groups are supported.
 */
export async function startKafkaMock(options: StartKafkaMockOptions = {}): Promise<KafkaMock> {
  const script = options.scriptPath ?? findKafkaMockScript();
  const child = spawn('bash', [script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: {
      ...process.env,
      KAFKA_MOCK_BROKERS: String(options.brokers ?? 3),
      ...(options.kcat !== undefined ? { KCAT: options.kcat } : {})
    }
  });
  trackChild(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });

  const timeoutMs = options.startTimeoutMs ?? 15_000;
  let line: string;
  try {
    line = await new Promise<string>((resolveLine, reject) => {
      let buffered = '';
      const timer = setTimeout(() => {
        reject(new Error(`kafka mock: no bootstrap servers within ${timeoutMs}ms\n${stderr}`));
      }, timeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const newline = buffered.indexOf('\n');
        if (newline !== -1) {
          clearTimeout(timer);
          resolveLine(buffered.slice(0, newline).trim());
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kafka mock: script exited (${code ?? signal}) before starting\n${stderr}`));
      });
    });
  } catch (error) {
    await stopChild(child, 2000);
    throw error;
  }
  // Keep draining stdout so the script never blocks on a full pipe.
  child.stdout?.resume();

  const brokers = line.split(',').filter((b) => b !== '');
  let stopped = false;
  return {
    brokers,
    bootstrapServers: brokers.join(','),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, 5000);
    }
  };
}
