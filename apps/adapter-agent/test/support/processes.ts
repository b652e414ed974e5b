import { grpcCaller, loopbackServiceArgs, ServiceProcess, servicePorts } from '@voltha/testing';
import type { GrpcCaller } from '@voltha/testing';

export { CoreConfigProcess } from '@voltha/testing';

/** An adapter-agent process (simulator delays off unless asked), with a caller of its API. */
export class AdapterAgentProcess {
  public process!: ServiceProcess;
  public api!: GrpcCaller;
  public grpcPort = 0;
  public probePort = 0;

  public constructor(
    private readonly core: string,
    private readonly extraArgs: string[] = []
  ) {}

  public get address(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  /** Starts the process; waits for /readyz unless `ready` is false. */
  public async start(ready = true): Promise<void> {
    if (!this.grpcPort)
      ({ grpc: this.grpcPort, probe: this.probePort } = await servicePorts('grpc', 'probe'));
    this.process = await ServiceProcess.start({
      name: 'adapter-agent',
      entry: 'apps/adapter-agent/src/main.ts',
      args: [
        ...loopbackServiceArgs(this.grpcPort, this.probePort),
        '--core',
        this.core,
        '--sim-timing-scale',
        '0',
        '--kpi-interval',
        '0',
        '--alarm-interval',
        '0',
        ...this.extraArgs
      ],
      probePort: ready ? this.probePort : undefined
    });
    this.api ??= grpcCaller('AdapterAgentService', 'adapter_agent_service.proto', this.address);
  }

  /** Waits until /readyz answers 200 (after a start that did not wait). */
  public async waitReady(timeoutMs: number): Promise<void> {
    await eventually(
      'adapter-agent ready',
      async () => {
        if (!this.process.running) throw new Error(`adapter-agent exited:\n${this.process.tail()}`);
        const res = await fetch(`http://127.0.0.1:${this.probePort}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      timeoutMs
    );
  }

  /** Crash: SIGKILL. */
  public async kill(): Promise<void> {
    await this.process.kill9();
  }

  public async stop(): Promise<number | null | undefined> {
    this.api?.close();
    return this.process?.stop();
  }
}

/** Polls until `probe` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
