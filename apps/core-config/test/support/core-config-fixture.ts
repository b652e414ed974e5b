import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fromAny } from '@voltha/proto';
import type { AnyLike, Device, UnknownMessage } from '@voltha/proto';
import { grpcCaller, ServiceProcess, servicePorts } from '@voltha/testing';
import type { GrpcCaller } from '@voltha/testing';

/** A core-config process on free ports with its own data dir, plus gRPC callers of its two services. */
export class CoreConfigFixture {
  public voltha!: GrpcCaller;
  public config!: GrpcCaller;
  public process!: ServiceProcess;
  public readonly dataDir: string;
  public grpcPort = 0;
  public probePort = 0;

  public constructor(private readonly extraArgs: string[] = []) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'core-config-'));
  }

  public get address(): string {
    return `127.0.0.1:${this.grpcPort}`;
  }

  public async start(): Promise<void> {
    if (!this.grpcPort)
      ({ grpc: this.grpcPort, probe: this.probePort } = await servicePorts('grpc', 'probe'));
    this.process = await ServiceProcess.start({
      name: 'core-config',
      entry: 'apps/core-config/src/main.ts',
      args: [
        '--grpc-host',
        '127.0.0.1',
        '--grpc-port',
        String(this.grpcPort),
        '--probe-host',
        '127.0.0.1',
        '--probe-port',
        String(this.probePort),
        '--data-dir',
        this.dataDir,
        '--log-level',
        'warn',
        ...this.extraArgs
      ],
      probePort: this.probePort
    });
    this.voltha = grpcCaller('VolthaService', 'voltha_service.proto', this.address);
    this.config = grpcCaller('ConfigService', 'config_service.proto', this.address);
  }

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

export function decodeAny<T extends UnknownMessage>(any: AnyLike): T {
  return fromAny<T>(any);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type { Device };
