import { AsyncLocalStorage } from 'node:async_hooks';

import { Observable } from 'rxjs';

import type { ConfigChangeEvent, ConfigRoot, ConfigSchema } from '@voltha/config-tree';
import { KAFKA_TOPICS, ownerKeyOf } from '@voltha/kafka-events';
import type { ChangeEventRecord, ReliablePublisher } from '@voltha/kafka-events';
import { toGrpcError } from '@voltha/nest-common';
import { ConfigEvent, ConfigEventType, toWireAny } from '@voltha/proto';
import type { Any } from '@voltha/proto';
import type { UnknownMessage } from '@voltha/proto';

import { childPathOf } from '../tree/tree-paths';
import { EventLog } from './event-log';
import type { Subscription } from './event-log';

/** A committed change as core-config hands it out (gRPC streams, Kafka). */
export interface ChangeEvent {
  readonly type: 'add' | 'remove' | 'update';
  readonly hash: string;
  readonly data: string;
  readonly message: UnknownMessage;
  readonly typeName: string;
  /** Path of the changed node itself: the added/removed child ('/devices/d1'), or the updated node. */
  readonly path: string;
  /** Path of the node that announced it (1.x semantics: the container's owner for add/remove). */
  readonly ownerPath: string;
  readonly rootHash: string;
  readonly seq: number;
  readonly timestamp: number;
  /** Owning device / logical device id ('' outside them): the Kafka key, for per-device order. */
  readonly key: string;
  /** Who made the change ('' when the writer did not say). */
  readonly origin: string;
}

/** Who is writing, for the events of the current mutation (set by the API handlers around writes). */
export const writeOrigin = new AsyncLocalStorage<string>();

const TYPES = {
  add: ConfigEventType.add,
  remove: ConfigEventType.remove,
  update: ConfigEventType.update
} as const;

/**
 * Turns the tree's events into core-config's change events, keeps the recent ones for resumable
 * watches, and forwards every one of them to Kafka when it is configured. One event per committed
 * add/remove/update, in commit order.
 */
export class EventHub {
  private readonly log: EventLog<ChangeEvent>;
  private unsubscribe: (() => void) | undefined;
  public published = 0;

  public constructor(
    private readonly schema: ConfigSchema,
    private readonly rootType: string,
    capacity: number,
    startSeq: number,
    private readonly kafka?: { publisher: ReliablePublisher; topic: string }
  ) {
    this.log = new EventLog<ChangeEvent>(capacity, startSeq);
  }

  public attach(root: ConfigRoot): void {
    this.unsubscribe = root.subscribe((e) => this.onTreeEvent(e));
  }

  public detach(): void {
    this.unsubscribe?.();
  }

  public get latestSeq(): number {
    return this.log.latestSeq;
  }

  public subscribe(
    prefix: string,
    fromSeq: number | undefined,
    deliver: (e: ChangeEvent) => boolean
  ): Subscription {
    return this.log.subscribe(prefix, fromSeq, deliver);
  }

  public get watchers(): number {
    return this.log.subscriberCount;
  }

  private onTreeEvent(e: ConfigChangeEvent): void {
    const message = e.message as UnknownMessage;
    const path =
      e.type === 'update' ? e.path : (childPathOf(this.schema, this.rootType, e.path, message) ?? e.path);
    const event: ChangeEvent = {
      type: e.type,
      hash: e.hash,
      data: e.data,
      message,
      typeName: e.typeName,
      path,
      ownerPath: e.path,
      rootHash: e.rootHash,
      seq: e.seq,
      timestamp: e.timestamp,
      key: ownerKeyOf(path),
      origin: writeOrigin.getStore() ?? ''
    };
    this.log.append([event]);
    this.published++;
    if (this.kafka) {
      this.kafka.publisher.publish([
        { topic: this.kafka.topic, key: event.key, value: JSON.stringify(toRecord(event)) }
      ]);
    }
  }
}

export function toRecord(e: ChangeEvent): ChangeEventRecord {
  return {
    type: e.type,
    hash: e.hash,
    data: e.data,
    path: e.path,
    root_hash: e.rootHash,
    seq: String(e.seq),
    timestamp: new Date(e.timestamp).toISOString(),
    type_name: e.typeName,
    key: e.key,
    origin: e.origin
  } as ChangeEventRecord;
}

export function toConfigEvent(e: ChangeEvent): ConfigEvent {
  const event = ConfigEvent.fromPartial({
    type: TYPES[e.type],
    hash: e.hash,
    data: e.data,
    path: e.path,
    rootHash: e.rootHash,
    seq: String(e.seq),
    timestamp: { seconds: String(Math.floor(e.timestamp / 1000)), nanos: (e.timestamp % 1000) * 1_000_000 },
    key: e.key,
    origin: e.origin
  });
  // After fromPartial: it would rebuild the Any in ts-proto's form, which proto-loader cannot send.
  event.message = anyOf(e.message);
  return event;
}

export { KAFKA_TOPICS };

/** google.protobuf.Any of a message for a gRPC reply (proto-loader's `type_url` form). */
export function anyOf(message: UnknownMessage): Any {
  return toWireAny(message) as unknown as Any;
}

/**
 * The change events under `prefix` as a gRPC server stream (Watch, ReceiveChangeEvents): retained
 * events after the seq `fromSeq()` gives, then live ones; a bad seq or events no longer retained end
 * the stream with the mapped gRPC status.
 */
export function configEventStream(
  hub: EventHub,
  prefix: string,
  fromSeq: () => number | undefined
): Observable<ConfigEvent> {
  return new Observable<ConfigEvent>((subscriber) => {
    try {
      const sub = hub.subscribe(prefix, fromSeq(), (e) => {
        subscriber.next(toConfigEvent(e));
        return !subscriber.closed;
      });
      return () => sub.close();
    } catch (e) {
      subscriber.error(toGrpcError(e));
      return undefined;
    }
  });
}
