import {
  createFileRegistry,
  fromBinary,
  fromJson,
  getOption,
  hasOption,
  toBinary,
  toJson
} from '@bufbuild/protobuf';
import type { DescExtension, DescField, DescMessage, FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

import { DESCRIPTOR_SET_BASE64 } from './generated/descriptor-set';
import { messageTypeRegistry } from './generated/typeRegistry';
import type { MessageType, UnknownMessage } from './generated/typeRegistry';

/**
 * Reflection over every message of protos/, built from the compiled descriptor set (buf build).
 * It carries the custom field options, so the config tree reads `child_node` and `access` from here.
 */
export const registry: FileRegistry = createFileRegistry(
  fromBinary(FileDescriptorSetSchema, Buffer.from(DESCRIPTOR_SET_BASE64, 'base64'))
);

function extension(name: string): DescExtension {
  const ext = registry.getExtension(name);
  if (!ext) throw new Error(`extension ${name} is missing from the descriptor set`);
  return ext;
}

/** The `(voltha.child_node)` field option: `{ key }` for keyed containers, `{ key: '' }` for singular children. */
export const childNodeOption = extension('voltha.child_node');
/** The `(voltha.access)` field option: 0 CONFIG, 1 READ_ONLY, 2 REAL_TIME. */
export const accessOption = extension('voltha.access');

export interface ChildNodeAnnotation {
  key: string;
}

/** The child_node annotation of a field, or undefined when the field is plain node-local data. */
export function childNodeOf(field: DescField): ChildNodeAnnotation | undefined {
  if (!hasOption(field, childNodeOption)) return undefined;
  const value = getOption(field, childNodeOption) as { key?: string };
  return { key: value.key ?? '' };
}

/** The access annotation of a field (0 CONFIG when absent). */
export function accessOf(field: DescField): number {
  return hasOption(field, accessOption) ? (getOption(field, accessOption) as number) : 0;
}

/** The descriptor of a message type by full name ('voltha.Adapter'); throws for unknown names. */
export function messageDesc(typeName: string): DescMessage {
  const desc = registry.getMessage(typeName);
  if (!desc) throw new Error(`unknown message type ${typeName}`);
  return desc;
}

/** The ts-proto codec of a message type by full name; throws for unknown names. */
export function codecOf<T extends UnknownMessage = UnknownMessage>(typeName: string): MessageType<T> {
  const codec = messageTypeRegistry.get(typeName);
  if (!codec) throw new Error(`unknown message type ${typeName}`);
  return codec as unknown as MessageType<T>;
}

/** Deterministic binary encoding of a generated message (fields in declaration order, defaults omitted). */
export function encodeMessage(message: UnknownMessage): Uint8Array {
  return codecOf(message.$type).encode(message).finish();
}

export function decodeMessage<T extends UnknownMessage = UnknownMessage>(
  typeName: string,
  bytes: Uint8Array
): T {
  return codecOf<T>(typeName).decode(bytes);
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Proto3 JSON of a message with every field present (defaults included), proto (snake_case) field
 * names, enum names, and 64-bit integers as decimal strings: the form 1.x used for diffs and events.
 */
export function toJsonWithDefaults(message: UnknownMessage): { [key: string]: JsonValue } {
  const desc = messageDesc(message.$type);
  const dynamic = fromBinary(desc, encodeMessage(message));
  return toJson(desc, dynamic, {
    alwaysEmitImplicit: true,
    useProtoFieldName: true,
    registry
  }) as { [key: string]: JsonValue };
}

/**
 * The generated message of type `typeName` from its proto3 JSON (either field-name style; the form
 * toJsonWithDefaults and the change events' `data` use). Throws on unknown types or malformed JSON.
 */
export function fromJsonWithDefaults<T extends UnknownMessage = UnknownMessage>(
  typeName: string,
  json: JsonValue
): T {
  const desc = messageDesc(typeName);
  const dynamic = fromJson(desc, json as never, { registry, ignoreUnknownFields: false });
  return decodeMessage<T>(typeName, toBinary(desc, dynamic));
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Wraps a generated message into a google.protobuf.Any. */
export function toAny(message: UnknownMessage): {
  $type: 'google.protobuf.Any';
  typeUrl: string;
  value: Uint8Array;
} {
  return {
    $type: 'google.protobuf.Any',
    typeUrl: TYPE_URL_PREFIX + message.$type,
    value: encodeMessage(message)
  };
}

/**
 * An Any as it crosses gRPC through @grpc/proto-loader: protobufjs keeps the bundled
 * google/protobuf/any.proto field names, so the type URL is `type_url` there (not `typeUrl`).
 */
export interface WireAny {
  type_url: string;
  value: Uint8Array;
}

/** Either form of an Any: ts-proto's `typeUrl` or proto-loader's `type_url`. */
export type AnyLike = { typeUrl: string; value: Uint8Array } | WireAny;

function typeUrlOf(any: AnyLike): string {
  return ('type_url' in any ? any.type_url : any.typeUrl) ?? '';
}

/** Unwraps a google.protobuf.Any (either form) into the generated message it carries; throws for unknown types. */
export function fromAny<T extends UnknownMessage = UnknownMessage>(any: AnyLike): T {
  const url = typeUrlOf(any);
  return decodeMessage<T>(url.slice(url.lastIndexOf('/') + 1), any.value);
}

/** The full type name an Any carries ('' when the type URL is empty). */
export function anyTypeName(any: AnyLike): string {
  const url = typeUrlOf(any);
  return url.slice(url.lastIndexOf('/') + 1);
}

/** Wraps a message into an Any for a gRPC call or reply made through @grpc/proto-loader. */
export function toWireAny(message: UnknownMessage): WireAny {
  return { type_url: TYPE_URL_PREFIX + message.$type, value: Buffer.from(encodeMessage(message)) };
}
