import { loadPackageDefinition, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type {
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceClientConstructor,
  UntypedServiceImplementation
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/nest-common';
import { Device, toAny } from '@voltha/proto';
import type { UnknownMessage } from '@voltha/proto';

import * as fx from './fixtures';

/**
 * A fake core-config for the CLI tests: VolthaService and ConfigService over real gRPC (grpc-js +
 * proto-loader with the shared loader options), answering from the fixtures, with NOT_FOUND and
 * other errors for unknown ids, and a Watch stream that emits the fixture events then stays open.
 * Every request is recorded in `calls`.
 */

type Raw = Record<string, unknown>;

/** A typed message in the shape proto-loader serialises: google.protobuf.Any with `type_url`. */
export function forLoader(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forLoader);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const obj = value as Raw;
  if (obj.$type === 'google.protobuf.Any')
    return { type_url: obj.typeUrl, value: Buffer.from(obj.value as Uint8Array) };
  const out: Raw = {};
  for (const [k, v] of Object.entries(obj)) if (k !== '$type') out[k] = forLoader(v);
  return out;
}

const ok = (msg: UnknownMessage | Raw): unknown => forLoader(msg);
const fail = (code: status, details: string): Error & { code: status; details: string } =>
  Object.assign(new Error(details), { code, details });

export interface FakeCall {
  method: string;
  request: Raw;
}

export class FakeCore {
  public readonly calls: FakeCall[] = [];
  /** Delay of every unary answer (to test --timeout). */
  public delayMs = 0;
  /** Open Watch streams. */
  public watchers = 0;
  private server?: Server;
  public port = 0;

  public get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  public async start(): Promise<void> {
    const def = loadSync([protoPath('voltha_service.proto'), protoPath('config_service.proto')], {
      ...GRPC_LOADER_OPTIONS,
      includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs]
    });
    const pkg = loadPackageDefinition(def) as unknown as {
      voltha: { VolthaService: ServiceClientConstructor; ConfigService: ServiceClientConstructor };
    };
    const server = new Server();
    server.addService(pkg.voltha.VolthaService.service, this.volthaService());
    server.addService(pkg.voltha.ConfigService.service, this.configService());
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, port) =>
        e ? reject(e) : resolve(port)
      )
    );
    this.server = server;
  }

  public async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.forceShutdown();
  }

  public last(method: string): Raw | undefined {
    return [...this.calls].reverse().find((c) => c.method === method)?.request;
  }

  private unary(method: string, answer: (req: Raw) => unknown) {
    return (call: ServerUnaryCall<Raw, unknown>, callback: sendUnaryData<unknown>): void => {
      this.calls.push({ method, request: call.request });
      const reply = (): void => {
        try {
          callback(null, answer(call.request));
        } catch (e) {
          callback(e as Error & { code: status });
        }
      };
      if (this.delayMs > 0) setTimeout(reply, this.delayMs);
      else reply();
    };
  }

  private volthaService(): UntypedServiceImplementation {
    const deviceById = (id: unknown): Device => {
      const d = fx.devices.find((x) => x.id === id);
      if (!d) throw fail(status.NOT_FOUND, `device ${String(id)} not found`);
      return d;
    };
    const ldById = (id: unknown): void => {
      if (id !== fx.LD_ID) throw fail(status.NOT_FOUND, `logical device ${String(id)} not found`);
    };
    const empty = {};
    return {
      GetVoltha: this.unary('GetVoltha', () => ok(fx.voltha)),
      ListAdapters: this.unary('ListAdapters', () => ok({ items: fx.adapters })),
      ListDevices: this.unary('ListDevices', () => ok({ items: fx.devices })),
      CreateDevice: this.unary('CreateDevice', (req) => {
        if (req.type === 'unknown_type')
          throw fail(status.INVALID_ARGUMENT, 'no adapter for device type unknown_type');
        return ok(
          Device.fromPartial({
            id: fx.NEW_ID,
            type: req.type as string,
            root: true,
            macAddress: (req.macAddress as string | undefined) ?? undefined,
            ipv4Address: (req.ipv4Address as string | undefined) ?? undefined,
            hostAndPort: (req.hostAndPort as string | undefined) ?? undefined,
            extraArgs: req.extraArgs as string,
            adminState: 1
          })
        );
      }),
      EnableDevice: this.unary('EnableDevice', (req) => (deviceById(req.id), empty)),
      DisableDevice: this.unary('DisableDevice', (req) => (deviceById(req.id), empty)),
      RebootDevice: this.unary('RebootDevice', (req) => {
        const d = deviceById(req.id);
        if (!d.root)
          throw fail(status.FAILED_PRECONDITION, `device ${d.id} is ACTIVATING, cannot reboot now`);
        return empty;
      }),
      DeleteDevice: this.unary('DeleteDevice', (req) => (deviceById(req.id), empty)),
      ListDevicePorts: this.unary('ListDevicePorts', (req) =>
        ok({ items: deviceById(req.id).id === fx.OLT_ID ? fx.oltPorts : [] })
      ),
      ListDeviceFlows: this.unary('ListDeviceFlows', (req) =>
        ok({ items: deviceById(req.id).id === fx.OLT_ID ? fx.oltFlows : [] })
      ),
      ListLogicalDevices: this.unary('ListLogicalDevices', () => ok({ items: [fx.logicalDevice] })),
      ListLogicalDevicePorts: this.unary(
        'ListLogicalDevicePorts',
        (req) => (ldById(req.id), ok({ items: fx.logicalPorts }))
      ),
      ListLogicalDeviceFlows: this.unary(
        'ListLogicalDeviceFlows',
        (req) => (ldById(req.id), ok({ items: fx.oltFlows }))
      )
    };
  }

  private configService(): UntypedServiceImplementation {
    return {
      Get: this.unary('Get', (req) => {
        switch (req.path) {
          case '/devices':
            return ok({ isList: true, items: fx.devices.map(toAny) });
          case `/devices/${fx.OLT_ID}`:
            return ok({ isList: false, data: toAny(fx.olt) });
          case '/':
            return ok({ isList: false, data: toAny(fx.volthaInstance) });
          case '/adapters/simulated_olt/logical_device_ids':
            return ok({ isList: true, items: [] });
          case '/odd':
            return {
              isList: false,
              data: { type_url: 'type.googleapis.com/voltha.NoSuchType', value: Buffer.from([8, 1]) }
            };
          default:
            throw fail(status.NOT_FOUND, `path ${String(req.path)} not found`);
        }
      }),
      ListRevisions: this.unary('ListRevisions', () => ok({ items: fx.revisions })),
      ListTags: this.unary('ListTags', () => ok({ items: fx.tags })),
      Diff: this.unary('Diff', (req) => {
        const known = new Set([...fx.revisions.map((r) => r.hash), '']);
        for (const h of [req.hash1, req.hash2]) {
          if (!known.has(h as string)) throw fail(status.NOT_FOUND, `unknown revision ${String(h)}`);
        }
        return ok({ operations: fx.diffOperations });
      }),
      Watch: (call: ServerWritableStream<Raw, unknown>) => {
        this.calls.push({ method: 'Watch', request: call.request });
        if (call.request.fromSeq === '1') {
          call.emit(
            'error',
            fail(
              status.FAILED_PRECONDITION,
              'events after seq 1 are no longer retained (the oldest retained is seq 100)'
            )
          );
          return;
        }
        const prefix = String(call.request.pathPrefix ?? '');
        this.watchers++;
        call.on('cancelled', () => this.watchers--);
        for (const e of fx.events) if (e.path.startsWith(prefix)) call.write(ok(e));
        if (prefix === '/end') call.end();
      }
    };
  }
}

/**
 * A fake flow-decomposer for the CLI tests: FlowDecomposerService over real gRPC, answering GetStats
 * and ListFailedFlows from the fixtures. Every request is recorded in `calls`.
 */
export class FakeDecomposer {
  public readonly calls: FakeCall[] = [];
  private server?: Server;
  public port = 0;

  public get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  public async start(): Promise<void> {
    const def = loadSync([protoPath('flow_decomposer_service.proto')], {
      ...GRPC_LOADER_OPTIONS,
      includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs]
    });
    const pkg = loadPackageDefinition(def) as unknown as {
      voltha: { FlowDecomposerService: ServiceClientConstructor };
    };
    const server = new Server();
    const unary =
      (method: string, answer: (req: Raw) => unknown) =>
      (call: ServerUnaryCall<Raw, unknown>, callback: sendUnaryData<unknown>): void => {
        this.calls.push({ method, request: call.request });
        callback(null, answer(call.request));
      };
    server.addService(pkg.voltha.FlowDecomposerService.service, {
      GetStats: unary('GetStats', () => ok(fx.decomposerStats)),
      ListFailedFlows: unary('ListFailedFlows', (req) =>
        ok({ items: fx.failedFlows.filter((f) => !req.id || f.logicalDeviceId === req.id) })
      )
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, port) =>
        e ? reject(e) : resolve(port)
      )
    );
    this.server = server;
  }

  public async stop(): Promise<void> {
    this.server?.forceShutdown();
  }
}
