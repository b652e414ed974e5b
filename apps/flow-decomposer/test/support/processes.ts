import { grpcCaller, ServiceProcess, servicePorts } from '@voltha/testing';
import type { GrpcCaller } from '@voltha/testing';

export { CoreConfigProcess } from '@voltha/testing';

/** A flow-decomposer process pointed at a core-config, plus a caller of its API. */
export class DecomposerProcess {
  public api!: GrpcCaller;
  public process: ServiceProcess | undefined;
  public grpcPort = 0;
  public probePort = 0;

  public constructor(
    private readonly coreAddress: string,
    private readonly extraArgs: string[] = [],
    private readonly logLevel = 'warn'
  ) {}

  /** Starts; waits for /readyz unless `waitReady` is false (e.g. core-config is not up yet). */
  public async start(waitReady = true): Promise<void> {
    if (!this.grpcPort)
      ({ grpc: this.grpcPort, probe: this.probePort } = await servicePorts('grpc', 'probe'));
    this.process = await ServiceProcess.start({
      name: 'flow-decomposer',
      entry: 'apps/flow-decomposer/src/main.ts',
      args: [
        '--core',
        this.coreAddress,
        '--grpc-host',
        '127.0.0.1',
        '--grpc-port',
        String(this.grpcPort),
        '--probe-host',
        '127.0.0.1',
        '--probe-port',
        String(this.probePort),
        '--log-level',
        this.logLevel,
        ...this.extraArgs
      ],
      probePort: waitReady ? this.probePort : undefined,
      readyTimeoutMs: 60_000
    });
    this.api = grpcCaller(
      'FlowDecomposerService',
      'flow_decomposer_service.proto',
      `127.0.0.1:${this.grpcPort}`
    );
  }

  public async ready(): Promise<boolean> {
    try {
      return (await fetch(`http://127.0.0.1:${this.probePort}/readyz`)).status === 200;
    } catch {
      return false;
    }
  }

  public async waitReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'flow-decomposer ready',
      async () => ((await this.ready()) ? true : undefined),
      timeoutMs,
      100
    );
  }

  public async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.probePort}/metrics`)).text();
  }

  public async stop(): Promise<void> {
    this.api?.close();
    await this.process?.stop();
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 50
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
