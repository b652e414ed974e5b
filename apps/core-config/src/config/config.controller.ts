import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import type { Observable } from 'rxjs';

import type { ConfigRoot, Message } from '@voltha/config-tree';
import { invalid } from '@voltha/device-lifecycle';
import { anyTypeName, fromAny, MutationResponse, Revisions, Tags, TransactionId } from '@voltha/proto';
import type {
  AnyLike,
  GetResponse,
  AddRequest,
  ConfigEvent,
  Device,
  DiffRequest,
  DiffResponse,
  Empty,
  GetRequest,
  LogicalDevice,
  RemoveRequest,
  TagRequest,
  UpdateRequest,
  WatchRequest
} from '@voltha/proto';
import { ConfigServiceControllerMethods } from '@voltha/proto/services';
import type { ConfigServiceController } from '@voltha/proto/services';

import { CONFIG_ROOT, DEVICES_SERVICE, EVENT_HUB } from '../app/tokens';
import type { EventHub } from '../events/event-hub';
import { anyOf, configEventStream, writeOrigin } from '../events/event-hub';
import type { DevicesService } from '../voltha/devices.service';
import { depthOf, EMPTY, txidOf } from '../voltha/grpc-context';

function decode(any: AnyLike | undefined, what: string): Message {
  if (!any || !anyTypeName(any)) throw invalid(`${what}: data (google.protobuf.Any) is required`);
  try {
    return fromAny(any);
  } catch (e) {
    throw invalid(`${what}: cannot decode ${anyTypeName(any)}: ${(e as Error).message}`);
  }
}

function seqOf(raw: string): number | undefined {
  if (!raw || raw === '0') return undefined;
  if (!/^\d+$/.test(raw)) throw invalid(`from_seq '${raw}' is not an unsigned integer`);
  return Number(raw);
}

/**
 * The internal ConfigService: the config tree by path, with transactions, tags, revisions, diffs and a
 * resumable watch. Data crosses as google.protobuf.Any holding the typed message the tree stores.
 */
@Controller()
@ConfigServiceControllerMethods()
export class ConfigController implements ConfigServiceController {
  public constructor(
    @Inject(CONFIG_ROOT) private readonly root: ConfigRoot,
    @Inject(DEVICES_SERVICE) private readonly devices: DevicesService,
    @Inject(EVENT_HUB) private readonly events: EventHub
  ) {}

  public async get(request: GetRequest, metadata?: Metadata): Promise<GetResponse> {
    const depth = request.depth !== 0 ? request.depth : depthOf(metadata);
    const result = await this.root.get(request.path || '/', {
      depth,
      hash: request.hash || undefined,
      txid: txidOf(request.txid, metadata)
    });
    // Built directly: fromPartial would turn the wire-form Any back into ts-proto's form.
    if (Array.isArray(result)) {
      return {
        $type: 'voltha.GetResponse',
        isList: true,
        data: undefined,
        items: result.map((m) => anyOf(m))
      };
    }
    return { $type: 'voltha.GetResponse', isList: false, data: anyOf(result), items: [] };
  }

  public async update(request: UpdateRequest, metadata?: Metadata): Promise<MutationResponse> {
    const data = decode(request.data as AnyLike | undefined, 'Update');
    const txid = txidOf(request.txid, metadata);
    const r = await writeOrigin.run(request.origin, () =>
      this.root.update(request.path, data, { strict: request.strict, txid })
    );
    return MutationResponse.fromPartial({ rootHash: r.rootHash, seq: String(r.seq) });
  }

  public async add(request: AddRequest, metadata?: Metadata): Promise<MutationResponse> {
    let data = decode(request.data as AnyLike | undefined, 'Add');
    let assignedId = '';
    const path = request.path.replace(/\/+$/, '');
    if (path === '/devices' && data.$type === 'voltha.Device' && !(data as Device).id) {
      assignedId = this.devices.newDeviceId();
      data = { ...(data as Device), id: assignedId } as Message;
    } else if (
      path === '/logical_devices' &&
      data.$type === 'voltha.LogicalDevice' &&
      !(data as LogicalDevice).id
    ) {
      const identity = this.devices.allocateLogicalDevice();
      assignedId = identity.id;
      data = { ...(data as LogicalDevice), id: identity.id, datapathId: identity.datapathId } as Message;
    }
    const txid = txidOf(request.txid, metadata);
    const r = await writeOrigin.run(request.origin, () => this.root.add(request.path, data, { txid }));
    return MutationResponse.fromPartial({ rootHash: r.rootHash, seq: String(r.seq), assignedId });
  }

  public async remove(request: RemoveRequest, metadata?: Metadata): Promise<MutationResponse> {
    const txid = txidOf(request.txid, metadata);
    const r = await writeOrigin.run(request.origin, () => this.root.remove(request.path, { txid }));
    return MutationResponse.fromPartial({ rootHash: r.rootHash, seq: String(r.seq) });
  }

  public openTransaction(): TransactionId {
    return TransactionId.fromPartial({ txid: this.root.openTransaction().txid });
  }

  public async commitTransaction(request: TransactionId): Promise<MutationResponse> {
    if (!request.txid) throw invalid('CommitTransaction: txid is required');
    const r = await writeOrigin.run(request.origin, () => this.root.commitTransaction(request.txid));
    return MutationResponse.fromPartial({ rootHash: r.rootHash, seq: String(r.seq) });
  }

  public cancelTransaction(request: TransactionId): void {
    if (!request.txid) throw invalid('CancelTransaction: txid is required');
    this.root.cancelTransaction(request.txid);
    return EMPTY;
  }

  public async createTag(request: TagRequest): Promise<void> {
    if (!request.name) throw invalid('CreateTag: name is required');
    await this.root.tag(request.name, request.hash || undefined);
    return EMPTY;
  }

  public async deleteTag(request: TagRequest): Promise<void> {
    if (!request.name) throw invalid('DeleteTag: name is required');
    await this.root.deleteTag(request.name);
    return EMPTY;
  }

  public listTags(_request: Empty): Tags {
    return Tags.fromPartial({ items: this.root.tags.map((name) => ({ name, hash: this.root.byTag(name) })) });
  }

  public listRevisions(_request: Empty): Revisions {
    return Revisions.fromPartial({ items: this.root.revisions.map((hash) => ({ hash })) });
  }

  public async diff(request: DiffRequest): Promise<DiffResponse> {
    const h1 = request.tag1 ? this.root.byTag(request.tag1) : request.hash1;
    const h2 = request.tag2 ? this.root.byTag(request.tag2) : request.hash2 || undefined;
    if (!h1) throw invalid('Diff: hash1 or tag1 is required');
    const ops = await this.root.diff(h1, h2, request.path || '/');
    return {
      $type: 'voltha.DiffResponse',
      operations: ops.map((op) => ({
        $type: 'voltha.JsonPatchOperation',
        op: op.op,
        path: op.path,
        value: 'value' in op && op.value !== undefined ? JSON.stringify(op.value) : ''
      }))
    };
  }

  public watch(request: WatchRequest): Observable<ConfigEvent> {
    return configEventStream(this.events, request.pathPrefix, () => seqOf(request.fromSeq));
  }
}
