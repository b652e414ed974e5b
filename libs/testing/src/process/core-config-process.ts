import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { grpcCaller } from './grpc-clients';
import type { GrpcCaller } from './grpc-clients';
import { ServiceProcess, servicePorts } from './service-process';

/** Flags that keep a service on loopback, on the given ports, with quiet logs. */
export function loopbackServiceArgs(grpcPort: number, probePort: number, logLevel = 'warn'): string[] {
  return [
    '--grpc-host',
    '127.0.0.1',
    '--grpc-port',
    String(grpcPort),
    '--probe-host',
    '127.0.0.1',
    '--probe-port',
    String(probePort),
    '--log-level',
    logLevel
  ];
}

/**
 * A core-config process for tests: free loopback ports, its own data dir (embedded store unless the
 * extra flags say otherwise), and gRPC callers of VolthaService and ConfigService. `stop()` then
 * `start()` restarts it on the same ports and data; `dispose()` stops it and removes the data.
 */
export class CoreConfigProcess {
  public process: ServiceProcess | undefined;
  public voltha!: GrpcCaller;
  public config!: GrpcCaller;
  public readonly dataDir = mkdtempSync(join(tmpdir(), 'core-config-'));
  public grpcPort = 0;
  public probePort = 0;

  public constructor(private readonly extraArgs: string[] = []) {}

  public get address(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  /** Picks the ports without starting (e.g. to point another service at it first). */
  public async reservePorts(): Promise<void> {
    if (!this.grpcPort)
      ({ grpc: this.grpcPort, probe: this.probePort } = await servicePorts('grpc', 'probe'));
  }

  public async start(): Promise<void> {
    await this.reservePorts();
    this.process = await ServiceProcess.start({
      name: 'core-config',
      entry: 'apps/core-config/src/main.ts',
      args: [
        ...loopbackServiceArgs(this.grpcPort, this.probePort),
        '--data-dir',
        this.dataDir,
        ...this.extraArgs
      ],
      probePort: this.probePort
    });
    this.voltha = grpcCaller('VolthaService', 'voltha_service.proto', this.address);
    this.config = grpcCaller('ConfigService', 'config_service.proto', this.address);
  }

  /** Graceful stop; the data dir stays for a restart. */
  public async stop(): Promise<void> {
    this.voltha?.close();
    this.config?.close();
    await this.process?.stop();
  }

  public async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
