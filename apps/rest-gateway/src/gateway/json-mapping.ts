import { ScalarType, fromJson, mergeFromJson, toJson } from '@bufbuild/protobuf';
import type { DescField, DescMessage, JsonObject, JsonValue, Message, Registry } from '@bufbuild/protobuf';

import type { PathParams } from './path-template';
import type { GatewayRoute } from './route-table';

/** A request the gateway cannot turn into a protobuf message: answered with 400. */
export class RequestMappingError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RequestMappingError';
  }
}

/** Query parameters the gateway reads itself; they never map to request fields. */
export const RESERVED_QUERY_PARAMETERS: ReadonlySet<string> = new Set(['depth']);

export interface HttpRequestParts {
  /** Variable values of the matched path template, by dotted field path. */
  params: PathParams;
  query: URLSearchParams;
  /** Raw request body text ('' when there was none). */
  body: string;
}

/**
 * Builds the gRPC request message of a route from an HTTP request, with the proto3 JSON mapping:
 * the body (for `body: "*"` the whole message, for `body: "<field>"` that field) is parsed first,
 * then path variables and query parameters are merged over it (path variables win). Field names
 * may be the proto names (`admin_state`) or the lowerCamel JSON names (`adminState`). Unknown
 * fields, malformed JSON and values of the wrong type are RequestMappingErrors.
 */
export function buildRequest(route: GatewayRoute, parts: HttpRequestParts, registry: Registry): Message {
  const input = route.rpc.input;
  let message: Message;
  if (route.body === '') {
    message = fromJsonOrThrow(input, {}, registry, 'request');
  } else {
    const json = parseBody(parts.body);
    if (route.body === '*') {
      if (!isObject(json)) throw new RequestMappingError('request body must be a JSON object');
      message = fromJsonOrThrow(input, json, registry, 'request body');
    } else {
      const field = input.fields.find((f) => f.name === route.body)!;
      message = fromJsonOrThrow(input, { [field.name]: json }, registry, 'request body');
    }
  }
  const overlay: JsonObject = {};
  if (route.body !== '*') {
    for (const [key, values] of groupQuery(parts.query)) {
      if (RESERVED_QUERY_PARAMETERS.has(key)) continue;
      const path = resolveJsonPath(input, key.split('.'));
      if (!path) throw new RequestMappingError(`unknown query parameter '${key}'`);
      const { field, names } = path;
      if (route.template.variables.some((v) => v.fieldPath.join('.') === names.join('.'))) {
        throw new RequestMappingError(`query parameter '${key}' is already bound by the path`);
      }
      if (route.body !== '' && names[0] === route.body) {
        throw new RequestMappingError(`query parameter '${key}' is part of the request body`);
      }
      if (field.fieldKind === 'list' && field.listKind !== 'message') {
        setAt(
          overlay,
          names,
          values.map((v) => scalarJson(field, v, key))
        );
      } else if (field.fieldKind === 'scalar' || field.fieldKind === 'enum') {
        if (values.length > 1) throw new RequestMappingError(`query parameter '${key}' given more than once`);
        setAt(overlay, names, scalarJson(field, values[0], key));
      } else {
        throw new RequestMappingError(`query parameter '${key}' does not name a scalar field`);
      }
    }
  } else {
    for (const key of parts.query.keys()) {
      if (!RESERVED_QUERY_PARAMETERS.has(key)) {
        throw new RequestMappingError(`unknown query parameter '${key}' (the request is the body)`);
      }
    }
  }
  for (const [dotted, value] of parts.params) {
    const names = dotted.split('.');
    const path = resolveJsonPath(input, names)!;
    setAt(overlay, names, scalarJson(path.field, value, `path variable '${dotted}'`));
  }
  if (Object.keys(overlay).length === 0) return message;
  try {
    return mergeFromJson(input, message, overlay, { registry });
  } catch (e) {
    throw new RequestMappingError(cleanError(e));
  }
}

/**
 * The JSON of a response, as 1.x rendered it: proto (snake_case) field names, fields with default
 * values included, enums as names, 64-bit integers as decimal strings, bytes as base64.
 */
export function renderResponse(route: GatewayRoute, message: Message, registry: Registry): JsonValue {
  const json = renderMessage(route.rpc.output, message, registry);
  if (route.responseBody === '') return json;
  return (json as JsonObject)[route.responseBody] ?? null;
}

export function renderMessage(desc: DescMessage, message: Message, registry: Registry): JsonValue {
  return toJson(desc, message, { alwaysEmitImplicit: true, useProtoFieldName: true, registry });
}

function parseBody(text: string): JsonValue {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new RequestMappingError(`malformed JSON in request body: ${(e as Error).message}`);
  }
}

function fromJsonOrThrow(desc: DescMessage, json: JsonValue, registry: Registry, what: string): Message {
  try {
    return fromJson(desc, json, { registry });
  } catch (e) {
    throw new RequestMappingError(`${what}: ${cleanError(e)}`);
  }
}

/** protobuf-es messages read "cannot decode message voltha.Device from JSON: key "x" is unknown". */
function cleanError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isObject(v: JsonValue): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function groupQuery(query: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of query) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

/** Resolves a dotted path of proto or JSON names to the field and its proto names. */
function resolveJsonPath(
  message: DescMessage,
  path: readonly string[]
): { field: DescField; names: string[] } | undefined {
  let current: DescMessage | undefined = message;
  let field: DescField | undefined;
  const names: string[] = [];
  for (const name of path) {
    if (!current) return undefined;
    field = current.fields.find((f) => f.name === name || f.jsonName === name);
    if (!field) return undefined;
    names.push(field.name);
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return field ? { field, names } : undefined;
}

function setAt(target: JsonObject, names: readonly string[], value: JsonValue): void {
  let obj = target;
  for (const name of names.slice(0, -1)) {
    const next = obj[name];
    if (isObject(next)) obj = next;
    else {
      const created: JsonObject = {};
      obj[name] = created;
      obj = created;
    }
  }
  obj[names[names.length - 1]] = value;
}

/**
 * The JSON value of a path variable or query parameter for its field: the text, except booleans
 * (true/false) and enums given by number. Numbers stay strings: the proto3 JSON parser accepts
 * them, and 64-bit values keep their precision.
 */
function scalarJson(field: DescField, raw: string, what: string): JsonValue {
  const kind =
    field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar')
      ? field.scalar
      : undefined;
  if (kind === ScalarType.BOOL) {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new RequestMappingError(`${what}: '${raw}' is not a boolean (true or false)`);
  }
  const isEnum = field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum');
  if (isEnum && /^-?\d+$/.test(raw)) return Number(raw);
  return raw;
}
