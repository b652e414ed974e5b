import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

import { getFreePorts } from '../net/free-port';
import { trackChild, waitForExit } from './child-registry';

/** The repository root (this file is libs/testing/src/process). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

export interface ServiceProcessOptions {
  /** TypeScript entry point relative to the repo root, e.g. 'apps/core-config/src/main.ts'. */
  readonly entry: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Port of the service's /readyz; when given, start() waits until it answers 200. */
  readonly probePort?: number;
  /** How long to wait for readiness (default 60 s). */
  readonly readyTimeoutMs?: number;
  /** Name used in error messages. */
  readonly name?: string;
}

/**
 * One of the project's services as a real process (TypeScript through SWC, as `npm start` runs
 * it): started, probed until ready, stopped with SIGTERM (graceful) or killed with SIGKILL (crash).
 * Its output is kept for assertions and error messages.
 */
export class ServiceProcess {
  public output = '';
  private readonly child: ChildProcess;
  public readonly exited: Promise<number | null>;

  private constructor(private readonly options: ServiceProcessOptions) {
    this.child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(REPO_ROOT, options.entry), ...(options.args ?? [])],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, SWC_NODE_PROJECT: join(REPO_ROOT, 'tsconfig.base.json'), ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true
      }
    );
    trackChild(this.child);
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-200_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((res) => this.child.once('exit', (code) => res(code)));
  }

  public static async start(options: ServiceProcessOptions): Promise<ServiceProcess> {
    const p = new ServiceProcess(options);
    if (options.probePort !== undefined) await p.waitReady(options.readyTimeoutMs ?? 60_000);
    return p;
  }

  public get pid(): number | undefined {
    return this.child.pid;
  }

  public get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits until GET /readyz on the probe port answers 200. */
  public async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail()}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.options.probePort}/readyz`);
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until the output contains `text` (or matches it). */
  public async waitForOutput(text: string | RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const found = (): boolean =>
      typeof text === 'string' ? this.output.includes(text) : text.test(this.output);
    while (!found()) {
      if (Date.now() > deadline)
        throw new Error(`${this.name}: no output ${String(text)} after ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Graceful stop (SIGTERM), then SIGKILL after timeoutMs. Resolves with the exit code. */
  public async stop(timeoutMs = 15_000): Promise<number | null> {
    if (this.running) {
      this.child.kill('SIGTERM');
      if (!(await waitForExit(this.child, timeoutMs))) this.kill9();
    }
    return this.exited;
  }

  /** Crash: SIGKILL the whole process group. */
  public async kill9(): Promise<number | null> {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        this.child.kill('SIGKILL');
      }
    }
    return this.exited;
  }

  public tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  private get name(): string {
    return this.options.name ?? this.options.entry;
  }
}

/** Free loopback ports for a service (gRPC, probe, ...). */
export async function servicePorts<K extends string>(...names: K[]): Promise<Record<K, number>> {
  const ports = await getFreePorts(names.length);
  return Object.fromEntries(names.map((n, i) => [n, ports[i]])) as Record<K, number>;
}
