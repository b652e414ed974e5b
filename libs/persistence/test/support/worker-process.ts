import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { WorkerOptions } from './tree-worker';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** A running tree-worker process and the lines it printed. */
export class WorkerProcess {
  public readonly lines: string[] = [];
  public readonly acked = new Set<string>();
  private readonly waiters: Array<{ test: (l: string) => boolean; resolve: (l: string) => void }> = [];
  public readonly exited: Promise<number | null>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      if (line.startsWith('ack ')) this.acked.add(line.slice(4));
      for (const w of [...this.waiters]) {
        if (w.test(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  public static start(options: WorkerOptions): WorkerProcess {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'tree-worker.ts'), JSON.stringify(options)],
      {
        cwd: ROOT,
        env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
        stdio: ['ignore', 'pipe', 'pipe']
      }
    );
    return new WorkerProcess(child);
  }

  /** Resolves with the first (past or future) line matching `test`; rejects after timeoutMs. */
  public waitFor(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker: no matching line after ${timeoutMs} ms; stderr: ${this.stderr}`)),
        timeoutMs
      );
      this.waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        }
      });
    });
  }

  public async waitForAcks(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked.size < count) {
      if (Date.now() > deadline)
        throw new Error(`worker: ${this.acked.size} acks after ${timeoutMs} ms; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  public kill9(): Promise<number | null> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Runs a `list` worker to completion and returns the ids and the root hash it loaded. */
  public static async list(
    options: Omit<WorkerOptions, 'action'>,
    timeoutMs = 60_000
  ): Promise<{ ids: string[]; hash: string }> {
    const w = WorkerProcess.start({ ...options, action: 'list' });
    const list = await w.waitFor((l) => l.startsWith('list '), timeoutMs);
    const hash = await w.waitFor((l) => l.startsWith('hash '), timeoutMs);
    await w.exited;
    return { ids: JSON.parse(list.slice(5)) as string[], hash: hash.slice(5) };
  }
}
