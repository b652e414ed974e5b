import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { getFreePorts } from '../net/free-port';
import { signalGroup, stopChild, trackChild, waitForExit } from '../process/child-registry';

export interface StartEtcdOptions {
  /** etcd binary (default /usr/bin/etcd, or $ETCD_BINARY is NOT read: pass it explicitly). */
  readonly binary?: string;
  /** Data directory (default: a new temp dir, removed by `stop()`). */
  readonly dataDir?: string;
  /** Member name (default "harness"). */
  readonly name?: string;
  /**
   * Raft heartbeat and election timeout in ms (default 50 / 500). Lower values shorten the
   * smallest lease TTL etcd grants (1.5 x election timeout, rounded up to whole seconds).
   */
  readonly heartbeatMs?: number;
  readonly electionTimeoutMs?: number;
  /** Extra command-line flags, e.g. `['--max-request-bytes=262144']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for /health (default 20s). */
  readonly startTimeoutMs?: number;
  /** Serve the client port over TLS with this certificate and key (PEM), e.g. `TEST_TLS`. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

export interface EtcdHarness {
  /** Client endpoints, e.g. `['http://127.0.0.1:41234']`. */
  readonly endpoints: readonly string[];
  /** `host:port` of the client endpoint (the form VOLTHA's `--etcd` flag takes). */
  readonly address: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
  /** PID of the running server (undefined while stopped). */
  readonly pid: number | undefined;
  /** Graceful stop (SIGTERM, then SIGKILL) and removal of a temp data dir. Idempotent. */
  stop(): Promise<void>;
  /** Crash: SIGKILL, data dir kept so `restart()` can bring the same member back. */
  kill(): Promise<void>;
  /** Start again on the same ports and data dir (after `kill()`), waiting for health. */
  restart(): Promise<void>;
}

const LOG_LINES_KEPT = 40;

/** Spawn a single-member etcd on free loopback ports with a temp data dir and wait until healthy. */
export async function startEtcd(options: StartEtcdOptions = {}): Promise<EtcdHarness> {
  const binary = options.binary ?? '/usr/bin/etcd';
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'etcd-harness-')));
  const [clientPort, peerPort] = await getFreePorts(2);
  if (clientPort === undefined || peerPort === undefined) {
    throw new Error('etcd harness: could not allocate ports');
  }
  const name = options.name ?? 'harness';
  const tlsDir = options.tls === undefined ? undefined : await mkdtemp(join(tmpdir(), 'etcd-harness-tls-'));
  const tlsArgs: string[] = [];
  if (options.tls !== undefined && tlsDir !== undefined) {
    await writeFile(join(tlsDir, 'cert.pem'), options.tls.cert);
    await writeFile(join(tlsDir, 'key.pem'), options.tls.key, { mode: 0o600 });
    tlsArgs.push(`--cert-file=${join(tlsDir, 'cert.pem')}`, `--key-file=${join(tlsDir, 'key.pem')}`);
  }
  const clientUrl = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    '--initial-cluster-state=new',
    `--heartbeat-interval=${options.heartbeatMs ?? 50}`,
    `--election-timeout=${options.electionTimeoutMs ?? 500}`,
    '--logger=zap',
    '--log-level=warn',
    ...tlsArgs,
    ...(options.extraArgs ?? [])
  ];
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const log: string[] = [];
  let child: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    trackChild(proc);
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') {
          log.push(line);
          if (log.length > LOG_LINES_KEPT) log.shift();
        }
      }
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    proc.once('error', (error) => {
      spawnError = error;
    });
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (spawnError !== undefined) {
        throw new Error(`etcd harness: cannot run ${binary}: ${spawnError.message}`);
      }
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `etcd harness: etcd exited (${proc.exitCode ?? proc.signalCode}):\n${log.join('\n')}`
        );
      }
      if (await healthy(clientPort, options.tls !== undefined)) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stopChild(proc, 2000);
    throw new Error(`etcd harness: etcd not healthy after ${startTimeoutMs}ms:\n${log.join('\n')}`);
  };

  await launch();

  return {
    endpoints: [clientUrl],
    address: `127.0.0.1:${clientPort}`,
    clientPort,
    peerPort,
    dataDir,
    get pid() {
      return child !== undefined && child.exitCode === null && child.signalCode === null
        ? child.pid
        : undefined;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child !== undefined) {
        await stopChild(child, 5000);
      }
      if (ownsDataDir) {
        await rm(dataDir, { recursive: true, force: true });
      }
      if (tlsDir !== undefined) {
        await rm(tlsDir, { recursive: true, force: true });
      }
    },
    async kill() {
      if (child !== undefined) {
        signalGroup(child, 'SIGKILL');
        await waitForExit(child, 5000);
      }
    },
    async restart() {
      if (stopped) {
        throw new Error('etcd harness: restart() after stop()');
      }
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        await stopChild(child, 5000);
      }
      await launch();
    }
  };
}

function healthy(port: number, secure: boolean): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    // The harness only probes its own child: no certificate verification needed for that.
    const request = secure ? httpsGet : get;
    const req = request(
      { host: '127.0.0.1', port, path: '/health', timeout: 1000, rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { health?: unknown };
            resolve(res.statusCode === 200 && (body.health === 'true' || body.health === true));
          } catch {
            resolve(false);
          }
        });
      }
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}
