import type { JsonObject } from './json';

/**
 * The schema port of the config tree. The engine never hard-codes a message type: every structural fact
 * (which fields are child nodes, their keys, READ_ONLY fields) comes from a {@link ConfigSchema}, which the
 * production adapter derives at run time from the `voltha.child_node` / `voltha.access` annotations
 * (see `proto-schema.ts`). Tests may provide tiny synthetic schemas.
 */

/**
 * A message object: a plain object carrying its full type name in `$type` (ts-proto with type registry).
 * Every generated message type is assignable to it.
 */
export interface Message {
  readonly $type: string;
}

/** Field access on a message by property name. */
export function fieldsOf(message: Message): Record<string, unknown> {
  return message as unknown as Record<string, unknown>;
}

/** How a key path segment is interpreted. */
export type KeyKind = 'string' | 'int';

export interface KeySpec {
  /** Proto field name of the key inside the child message, e.g. `port_no`. */
  readonly name: string;
  /** Property name of the key in message objects, e.g. `portNo`. */
  readonly localName: string;
  /** `string` keys are used as is; `int` keys (any protobuf integer type) are parsed from path segments. */
  readonly kind: KeyKind;
}

/** A field annotated as child node. */
export interface ChildField {
  /** Proto field name; this is the path segment, e.g. `logical_devices`. */
  readonly name: string;
  /** Property name in message objects, e.g. `logicalDevices`. */
  readonly localName: string;
  /** Full type name of the child message. */
  readonly typeName: string;
  /** Repeated field (container) or singular child. */
  readonly repeated: boolean;
  /** Key of the children of a repeated field, if the annotation names one. */
  readonly key?: KeySpec;
}

/** A plain (node-local) field reference. */
export interface FieldRef {
  readonly name: string;
  readonly localName: string;
}

/** Everything the engine needs to know about one message type. */
export interface TypeInfo {
  readonly typeName: string;
  /** Child-node fields, sorted by proto field name (the order used for hashing). */
  readonly children: readonly ChildField[];
  /** Fields annotated `access: READ_ONLY`. */
  readonly readOnlyFields: readonly FieldRef[];
  /** A new message of this type with default values. */
  create(): Message;
  /**
   * A complete, deep and independent copy of `data` as a message of this type (missing fields get their
   * defaults). The caller has checked `data.$type`.
   */
  normalize(data: Message): Message;
  /** Deterministic binary encoding (equal content gives equal bytes). */
  encode(message: Message): Uint8Array;
  decode(bytes: Uint8Array): Message;
  /** Deep copy. */
  clone(message: Message): Message;
  equals(a: Message, b: Message): boolean;
  /** JSON with default values included and proto field names (proto3 JSON mapping). */
  toJson(message: Message): JsonObject;
}

export interface ConfigSchema {
  /**
   * Structural information of a message type; memoised by implementations.
   * @throws ConfigNotImplementedError for an unsupported key type; ConfigKeyError for an unknown type.
   */
  typeInfo(typeName: string): TypeInfo;
}
