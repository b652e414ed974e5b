import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/nest-common';

/** Objects as @grpc/proto-loader hands them over with GRPC_LOADER_OPTIONS (camelCase, 64-bit strings). */
type Obj = Record<string, unknown>;

const ADMIN = { PREPROVISIONED: 1, DISABLED: 2, ENABLED: 3 } as const;

const packageDefinition = loadSync(protoPath('voltha_service.proto'), {
  ...GRPC_LOADER_OPTIONS,
  includeDirs: [...GRPC_LOADER_OPTIONS.includeDirs]
});
const serviceDefinition = (
  grpc.loadPackageDefinition(packageDefinition) as unknown as {
    voltha: { VolthaService: { service: grpc.ServiceDefinition } };
  }
).voltha.VolthaService.service;

function fail(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

/**
 * A stand-in VolthaService (grpc-js + proto-loader, as a real client would see core-config) with
 * canned data and errors: devices d1 (ENABLED OLT) and d2 (PREPROVISIONED), logical device ld1 with a
 * full-range uint64 datapath id and one flow, a slow GetHealth, a change-event stream, and no
 * ListAdapters (UNIMPLEMENTED). It records requests and the get-depth metadata it receives.
 */
export class FakeVolthaService {
  public readonly depths: Array<string | undefined> = [];
  public readonly flowUpdates: Obj[] = [];
  public readonly openStreams = new Set<grpc.ServerWritableStream<Obj, Obj>>();
  public healthDelayMs = 0;
  private server: grpc.Server | undefined;
  private nextId = 3;
  private readonly devices = new Map<string, Obj>();

  public constructor() {
    this.devices.set('d1', {
      id: 'd1',
      type: 'simulated_olt',
      root: true,
      parentId: 'ld1',
      hostAndPort: '10.0.0.1:50060',
      adminState: ADMIN.ENABLED,
      operStatus: 4,
      connectStatus: 2,
      vlan: 0
    });
    this.devices.set('d2', {
      id: 'd2',
      type: 'simulated_onu',
      parentId: 'd1',
      parentPortNo: 1,
      adminState: ADMIN.PREPROVISIONED
    });
  }

  /** Binds 127.0.0.1:port (0: any free port); returns the port. */
  public async start(port = 0): Promise<number> {
    const server = new grpc.Server();
    server.addService(serviceDefinition, this.handlers() as unknown as grpc.UntypedServiceImplementation);
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p)
      )
    );
    this.server = server;
    return bound;
  }

  /** Stops at once, dropping open calls (a crash or kill of core-config). */
  public stop(): void {
    for (const s of this.openStreams) s.destroy();
    this.openStreams.clear();
    this.server?.forceShutdown();
    this.server = undefined;
  }

  private handlers(): Record<string, unknown> {
    type Unary = (call: grpc.ServerUnaryCall<Obj, Obj>, cb: grpc.sendUnaryData<Obj>) => void;
    const device = (id: unknown): Obj | undefined => this.devices.get(String(id));
    const handlers: Record<string, Unary | ((call: grpc.ServerWritableStream<Obj, Obj>) => void)> = {
      ListDevices: (_call, cb) => cb(null, { items: [...this.devices.values()] }),
      GetDevice: (call, cb) => {
        const depth = call.metadata.get('get-depth')[0];
        this.depths.push(depth === undefined ? undefined : String(depth));
        const d = device(call.request.id);
        if (!d) cb(fail(grpc.status.NOT_FOUND, `device '${String(call.request.id)}' not found`));
        else cb(null, d);
      },
      CreateDevice: (call, cb) => {
        const req = call.request;
        if (!req.type) return cb(fail(grpc.status.INVALID_ARGUMENT, 'device type is required'));
        const clash = [...this.devices.values()].find(
          (d) => req.hostAndPort && d.hostAndPort === req.hostAndPort
        );
        if (clash) {
          return cb(
            fail(
              grpc.status.ALREADY_EXISTS,
              `device at ${String(req.hostAndPort)} exists: ${String(clash.id)}`
            )
          );
        }
        const created = { ...req, id: `d${this.nextId++}`, adminState: ADMIN.PREPROVISIONED };
        this.devices.set(created.id, created);
        cb(null, created);
      },
      EnableDevice: (call, cb) => {
        const d = device(call.request.id);
        if (!d) return cb(fail(grpc.status.NOT_FOUND, `device '${String(call.request.id)}' not found`));
        if (d.adminState === ADMIN.ENABLED) {
          return cb(fail(grpc.status.FAILED_PRECONDITION, `device ${String(d.id)} is already ENABLED`));
        }
        d.adminState = ADMIN.ENABLED;
        cb(null, {});
      },
      DeleteDevice: (call, cb) => {
        if (!this.devices.delete(String(call.request.id))) {
          return cb(fail(grpc.status.NOT_FOUND, `device '${String(call.request.id)}' not found`));
        }
        cb(null, {});
      },
      GetLogicalDevice: (call, cb) => {
        if (call.request.id !== 'ld1')
          return cb(fail(grpc.status.NOT_FOUND, `logical device '${String(call.request.id)}' not found`));
        cb(null, {
          id: 'ld1',
          datapathId: '18446744073709551615',
          rootDeviceId: 'd1',
          desc: { mfrDesc: 'VOLTHA Project', serialNum: 'ld1' },
          switchFeatures: { datapathId: '18446744073709551615', nBuffers: 256, nTables: 2 }
        });
      },
      ListLogicalDeviceFlows: (_call, cb) =>
        cb(null, {
          items: [
            {
              id: '12345678901234567890',
              tableId: 0,
              priority: 1000,
              cookie: '9223372036854775808',
              packetCount: '0'
            }
          ]
        }),
      UpdateLogicalDeviceFlowTable: (call, cb) => {
        this.flowUpdates.push(call.request);
        cb(null, {});
      },
      GetHealth: (_call, cb) => {
        setTimeout(() => cb(null, { state: 0 }), this.healthDelayMs);
      },
      ReceiveChangeEvents: (call: grpc.ServerWritableStream<Obj, Obj>) => {
        this.openStreams.add(call);
        call.on('cancelled', () => this.openStreams.delete(call));
        call.sendMetadata(new grpc.Metadata());
        call.write({ type: 0, path: '/devices/d1', seq: '1', hash: 'h1', data: '{"id":"d1"}' });
        call.write({ type: 2, path: '/devices/d1', seq: '18446744073709551615', hash: 'h2', data: '{}' });
      }
    };
    return handlers;
  }
}
