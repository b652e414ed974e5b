import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';

import type { ConfigRoot } from '@voltha/config-tree';
import { precondition } from '@voltha/device-lifecycle';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';
import type { Adapter, Device } from '@voltha/proto';

import type { AdapterCaller } from './devices.service';

type Unary = (req: unknown, options: { deadline: Date }, cb: (e: ServiceError | null) => void) => void;

/**
 * Calls into the adapter-agent that hosts a device's adapter (found through the `endpoint` the agent
 * registered with the adapter), for requests that change no state in the tree, such as a reboot.
 */
export class GrpcAdapterCaller implements AdapterCaller {
  private definition: PackageDefinition | undefined;
  private readonly clients = new Map<string, Client>();

  public constructor(
    private readonly root: ConfigRoot,
    private readonly timeoutMs = 10_000
  ) {}

  public async rebootDevice(adapterId: string, device: Device): Promise<void> {
    const adapter = await this.root.getNode<Adapter>(`/adapters/${adapterId}`).catch(() => undefined);
    if (!adapter?.endpoint) {
      throw precondition(
        `adapter ${adapterId} of device ${device.id} has no endpoint registered: is its adapter-agent running?`
      );
    }
    const client = this.clientFor(adapter.endpoint);
    const call = (client as unknown as Record<string, Unary>)['RebootDevice'];
    await new Promise<void>((resolve, reject) =>
      call.call(client, { id: device.id }, { deadline: new Date(Date.now() + this.timeoutMs) }, (e) =>
        e ? reject(e) : resolve()
      )
    );
  }

  public close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private clientFor(endpoint: string): Client {
    let client = this.clients.get(endpoint);
    if (!client) {
      this.definition ??= loadSync(protoPath('adapter_agent_service.proto'), GRPC_LOADER_OPTIONS);
      const pkg = loadPackageDefinition(this.definition) as unknown as {
        voltha: { AdapterAgentService: new (address: string, creds: unknown) => Client };
      };
      client = new pkg.voltha.AdapterAgentService(endpoint, credentials.createInsecure());
      this.clients.set(endpoint, client);
    }
    return client;
  }
}
