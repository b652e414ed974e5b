/**
 * The JSON value of a `voltha.events` message. The first three fields are 1.x's ConfigEvent
 * (`type`, `hash` of the announcing node, `data` = JSON text of the message with defaults and proto
 * field names); the others locate and order the change.
 */
export interface ChangeEventRecord {
  type: 'add' | 'remove' | 'update';
  hash: string;
  data: string;
  /** Full path of the announcing node. */
  path: string;
  /** Root revision that contains the change. */
  root_hash: string;
  /** Commit sequence number of that root revision (decimal string: it is a uint64). */
  seq: string;
  /** ISO 8601 commit time. */
  timestamp: string;
  /** Full protobuf type name of `data`. */
  type_name: string;
  /** Owning device or logical device id; also the Kafka message key ('' when none). */
  key: string;
  /** Who made the change ('' when the writer did not say). */
  origin: string;
}

const OWNERS = ['devices', 'logical_devices'];

/**
 * The id of the device or logical device a path belongs to ('' for paths outside them), e.g.
 * '/devices/d1/ports/2' -> 'd1', '/logical_devices/ld1' -> 'ld1', '/adapters/x' -> ''.
 * Events keyed by it keep their order per device in Kafka.
 */
export function ownerKeyOf(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 && OWNERS.includes(parts[0]) ? parts[1] : '';
}

const TYPES = new Set(['add', 'remove', 'update']);

/** Parses and checks a `voltha.events` value; throws with a clear message on malformed input. */
export function parseChangeEvent(value: string | Buffer): ChangeEventRecord {
  let obj: unknown;
  try {
    obj = JSON.parse(value.toString());
  } catch {
    throw new Error('change event is not JSON');
  }
  const e = obj as Partial<ChangeEventRecord>;
  if (!e || typeof e !== 'object' || !TYPES.has(e.type as string))
    throw new Error('change event has no valid type');
  for (const field of [
    'hash',
    'data',
    'path',
    'root_hash',
    'seq',
    'timestamp',
    'type_name',
    'key'
  ] as const) {
    if (typeof e[field] !== 'string')
      throw new Error(`change event field ${field} is missing or not a string`);
  }
  if (!/^\d+$/.test(e.seq as string)) throw new Error('change event seq is not a decimal integer');
  if (e.origin !== undefined && typeof e.origin !== 'string')
    throw new Error('change event origin is not a string');
  return { ...(e as ChangeEventRecord), origin: e.origin ?? '' };
}
