import { DescExtension, DescField, DescMessage, getOption, hasOption, ScalarType } from '@bufbuild/protobuf';

import { ConfigKeyError, ConfigNotImplementedError } from './errors';
import { deepClone, JsonObject } from './json';
import type { ChildField, ConfigSchema, FieldRef, KeyKind, Message, TypeInfo } from './schema';

/** The part of a ts-proto message codec the config tree uses. */
export interface TsProtoCodec {
  encode(message: any): { finish(): Uint8Array }; // eslint-disable-line @typescript-eslint/no-explicit-any
  decode(input: Uint8Array): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  fromPartial(object: any): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** What the reflection schema needs (all provided by `@voltha/proto`). */
export interface ProtoSchemaSources {
  /** Descriptor registry (`@bufbuild/protobuf` FileRegistry). */
  readonly registry: { getMessage(typeName: string): DescMessage | undefined };
  /** ts-proto type registry: full type name -> codec. */
  readonly messageTypeRegistry: ReadonlyMap<string, TsProtoCodec>;
  /** `voltha.child_node` field option (ChildNode { string key = 1; }). */
  readonly childNodeOption: DescExtension;
  /** `voltha.access` field option (CONFIG=0, READ_ONLY=1, REAL_TIME=2). */
  readonly accessOption: DescExtension;
  /** Proto3 JSON of a message with defaults included and proto field names. */
  toJsonWithDefaults(message: any): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** `voltha.Access.READ_ONLY`. */
export const ACCESS_READ_ONLY = 1;

const INT_SCALARS = new Set<ScalarType>([
  ScalarType.INT32,
  ScalarType.INT64,
  ScalarType.UINT32,
  ScalarType.UINT64,
  ScalarType.SINT32,
  ScalarType.SINT64,
  ScalarType.FIXED32,
  ScalarType.FIXED64,
  ScalarType.SFIXED32,
  ScalarType.SFIXED64
]);

type OptionReader = (element: DescField, option: DescExtension) => unknown;
const readOption = getOption as unknown as OptionReader;
const optionPresent = hasOption as unknown as (element: DescField, option: DescExtension) => boolean;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The production schema: node structure derived at run time from the `voltha.child_node` and
 * `voltha.access` annotations in the descriptor registry; data handled by the ts-proto codecs. Results are
 * memoised per message type.
 */
export class ProtoReflectionSchema implements ConfigSchema {
  private readonly cache = new Map<string, TypeInfo>();

  constructor(private readonly sources: ProtoSchemaSources) {}

  typeInfo(typeName: string): TypeInfo {
    let info = this.cache.get(typeName);
    if (!info) {
      info = this.inspect(typeName);
      this.cache.set(typeName, info);
    }
    return info;
  }

  private inspect(typeName: string): TypeInfo {
    const desc = this.sources.registry.getMessage(typeName);
    const codec = this.sources.messageTypeRegistry.get(typeName);
    if (!desc || !codec) throw new ConfigKeyError(`unknown message type ${typeName}`);
    const children: ChildField[] = [];
    const readOnlyFields: FieldRef[] = [];
    for (const field of desc.fields) {
      if (optionPresent(field, this.sources.accessOption)) {
        if (readOption(field, this.sources.accessOption) === ACCESS_READ_ONLY) {
          readOnlyFields.push({ name: field.name, localName: field.localName });
        }
      }
      if (optionPresent(field, this.sources.childNodeOption)) children.push(this.childField(typeName, field));
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const toJson = this.sources.toJsonWithDefaults;
    const encode = (m: Message): Uint8Array => codec.encode(m).finish();
    return {
      typeName,
      children,
      readOnlyFields,
      create: () => codec.fromPartial({}) as Message,
      normalize: (data) => deepClone(codec.fromPartial(data) as Message),
      encode,
      decode: (bytes) => codec.decode(bytes) as Message,
      clone: (m) => deepClone(m),
      equals: (a, b) => sameBytes(encode(a), encode(b)),
      toJson: (m) => toJson(m) as JsonObject
    };
  }

  private childField(typeName: string, field: DescField): ChildField {
    const where = `${typeName}.${field.name}`;
    let childDesc: DescMessage;
    let repeated: boolean;
    if (field.fieldKind === 'message') {
      childDesc = field.message;
      repeated = false;
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      childDesc = field.message;
      repeated = true;
    } else {
      throw new ConfigNotImplementedError(`child_node field ${where} must be a message or repeated message`);
    }
    const option = readOption(field, this.sources.childNodeOption) as { key?: string } | undefined;
    const keyName = option?.key ?? '';
    if (keyName === '')
      return { name: field.name, localName: field.localName, typeName: childDesc.typeName, repeated };
    const keyField = childDesc.fields.find((f) => f.name === keyName);
    if (!keyField)
      throw new ConfigNotImplementedError(
        `key ${keyName} of ${where} is not a field of ${childDesc.typeName}`
      );
    let kind: KeyKind;
    if (keyField.fieldKind === 'scalar' && keyField.scalar === ScalarType.STRING) kind = 'string';
    else if (keyField.fieldKind === 'scalar' && INT_SCALARS.has(keyField.scalar)) kind = 'int';
    else
      throw new ConfigNotImplementedError(
        `unsupported key type of ${childDesc.typeName}.${keyName} (${where})`
      );
    return {
      name: field.name,
      localName: field.localName,
      typeName: childDesc.typeName,
      repeated,
      key: { name: keyName, localName: keyField.localName, kind }
    };
  }
}

/** Builds the reflection schema from the `@voltha/proto` exports. */
export function createProtoSchema(sources: ProtoSchemaSources): ConfigSchema {
  return new ProtoReflectionSchema(sources);
}
