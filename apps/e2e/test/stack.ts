import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { grpcCaller, loopbackServiceArgs, ServiceProcess, servicePorts } from '@voltha/testing';
import type { GrpcCaller } from '@voltha/testing';

/** The whole system as real processes on free loopback ports, like `npm start` runs it. */
export class Stack {
  public readonly dataDir = mkdtempSync(join(tmpdir(), 'voltha-e2e-'));
  public readonly processes: ServiceProcess[] = [];
  public voltha!: GrpcCaller;
  public agent!: GrpcCaller;
  public decomposer!: GrpcCaller;
  public ports!: Record<
    'core' | 'coreProbe' | 'fd' | 'fdProbe' | 'aa' | 'aaProbe' | 'http' | 'httpProbe',
    number
  >;

  public constructor(
    private readonly options: { coreArgs?: string[]; kafka?: string; gateway?: boolean } = {}
  ) {}

  public get core(): string {
    return `127.0.0.1:${this.ports.core}`;
  }

  public async start(): Promise<void> {
    this.ports = await servicePorts(
      'core',
      'coreProbe',
      'fd',
      'fdProbe',
      'aa',
      'aaProbe',
      'http',
      'httpProbe'
    );
    const kafka = this.options.kafka ? ['--kafka', this.options.kafka] : [];
    const common = (grpc: number, probe: number) => loopbackServiceArgs(grpc, probe);
    this.processes.push(
      await ServiceProcess.start({
        name: 'core-config',
        entry: 'apps/core-config/src/main.ts',
        args: [
          ...common(this.ports.core, this.ports.coreProbe),
          '--data-dir',
          this.dataDir,
          ...kafka,
          ...(this.options.coreArgs ?? [])
        ],
        probePort: this.ports.coreProbe
      })
    );
    const [fd, aa] = await Promise.all([
      ServiceProcess.start({
        name: 'flow-decomposer',
        entry: 'apps/flow-decomposer/src/main.ts',
        args: [...common(this.ports.fd, this.ports.fdProbe), '--core', this.core, ...kafka],
        probePort: this.ports.fdProbe
      }),
      ServiceProcess.start({
        name: 'adapter-agent',
        entry: 'apps/adapter-agent/src/main.ts',
        args: [
          ...common(this.ports.aa, this.ports.aaProbe),
          '--core',
          this.core,
          '--sim-timing-scale',
          '0',
          '--kpi-interval',
          '0',
          '--alarm-interval',
          '0',
          ...kafka
        ],
        probePort: this.ports.aaProbe
      })
    ]);
    this.processes.push(fd, aa);
    if (this.options.gateway) {
      this.processes.push(
        await ServiceProcess.start({
          name: 'rest-gateway',
          entry: 'apps/rest-gateway/src/main.ts',
          args: [
            '--voltha',
            this.core,
            '--http-host',
            '127.0.0.1',
            '--http-port',
            String(this.ports.http),
            '--probe-host',
            '127.0.0.1',
            '--probe-port',
            String(this.ports.httpProbe),
            '--log-level',
            'warn'
          ],
          probePort: this.ports.httpProbe
        })
      );
    }
    this.voltha = grpcCaller('VolthaService', 'voltha_service.proto', this.core);
    this.agent = grpcCaller(
      'AdapterAgentService',
      'adapter_agent_service.proto',
      `127.0.0.1:${this.ports.aa}`
    );
    this.decomposer = grpcCaller(
      'FlowDecomposerService',
      'flow_decomposer_service.proto',
      `127.0.0.1:${this.ports.fd}`
    );
  }

  /** REST call through the gateway: JSON in and out, status checked by the caller. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- REST replies are checked field by field by the tests
  public async rest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`http://127.0.0.1:${this.ports.http}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  public logs(): string {
    return this.processes.map((p) => p.tail(30)).join('\n---\n');
  }

  public async stop(): Promise<void> {
    for (const c of [this.voltha, this.agent, this.decomposer]) c?.close();
    for (const p of [...this.processes].reverse()) await p.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000
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
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
