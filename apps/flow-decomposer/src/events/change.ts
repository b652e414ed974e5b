import type { ChangeEventRecord } from '@voltha/kafka-events';
import { fromAny, fromJsonWithDefaults } from '@voltha/proto';
import type { JsonValue, UnknownMessage } from '@voltha/proto';

import type { WireConfigEvent } from '../core/core-client';

export type ChangeType = 'add' | 'remove' | 'update';

/** One committed change of the config tree, whichever way it arrived (Watch or Kafka). */
export interface ConfigChange {
  readonly type: ChangeType;
  /** Path of the changed node itself ('/devices/d1/ports/2', '/logical_devices/ld/flows/items/42'). */
  readonly path: string;
  /** The added message (with its children), the removed node's data, or the updated node's data. */
  readonly message: UnknownMessage;
  readonly seq: number;
  /** Commit time, ms since the epoch. */
  readonly timestamp: number;
  readonly origin: string;
}

const TYPES: readonly ChangeType[] = ['add', 'remove', 'update'];

/** A ConfigService.Watch event (proto-loader form) as a ConfigChange. */
export function fromWatchEvent(e: WireConfigEvent): ConfigChange {
  const type = TYPES[e.type];
  if (type === undefined) throw new Error(`change event ${e.seq} ${e.path}: unknown type ${e.type}`);
  if (!e.message) throw new Error(`change event ${e.seq} ${e.path}: no message`);
  const ts = e.timestamp
    ? Number(e.timestamp.seconds) * 1000 + Math.floor(e.timestamp.nanos / 1e6)
    : Date.now();
  return {
    type,
    path: e.path,
    message: fromAny(e.message),
    seq: Number(e.seq),
    timestamp: ts,
    origin: e.origin
  };
}

/** A `voltha.events` Kafka record (JSON data with proto field names) as a ConfigChange. */
export function fromChangeEventRecord(r: ChangeEventRecord): ConfigChange {
  const message = fromJsonWithDefaults(r.type_name, JSON.parse(r.data) as JsonValue);
  const ts = Date.parse(r.timestamp);
  return {
    type: r.type,
    path: r.path,
    message,
    seq: Number(r.seq),
    timestamp: Number.isNaN(ts) ? Date.now() : ts,
    origin: r.origin
  };
}
