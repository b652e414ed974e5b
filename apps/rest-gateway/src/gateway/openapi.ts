import { ScalarType } from '@bufbuild/protobuf';
import type { DescEnum, DescField, DescMessage } from '@bufbuild/protobuf';

import { openApiPath } from './path-template';
import { RESERVED_QUERY_PARAMETERS } from './json-mapping';
import type { GatewayRoute } from './route-table';

/** The parts of an OpenAPI 3.0 document this generator writes. */
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, SchemaObject>;
    responses: Record<string, { description: string; content: Record<string, { schema: SchemaObject }> }>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  parameters: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, unknown>;
  'x-grpc-method': string;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: SchemaObject;
}

export type SchemaObject = { [key: string]: unknown };

const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'What went wrong (the gRPC status message).' },
    code: { type: 'string', description: "gRPC status name, e.g. 'NOT_FOUND'." }
  }
};

/**
 * The OpenAPI 3 document of a route table, generated from the same descriptors: a path per
 * template, parameters from path variables and (for requests without a whole-message body) the
 * top-level scalar request fields, request and response schemas from the message descriptors.
 * Field names are the proto names, as in the responses (requests accept lowerCamel too); 64-bit
 * integers are strings, enums string enums.
 */
export function buildOpenApi(
  routes: readonly GatewayRoute[],
  info: { title: string; version: string }
): OpenApiDocument {
  const schemas: Record<string, SchemaObject> = {};
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const gen = new SchemaGenerator(schemas);
  const ordered = [...routes].sort((a, b) =>
    openApiPath(a.template) === openApiPath(b.template)
      ? a.httpMethod.localeCompare(b.httpMethod)
      : openApiPath(a.template).localeCompare(openApiPath(b.template))
  );
  for (const route of ordered) {
    const path = openApiPath(route.template);
    (paths[path] ??= {})[route.httpMethod.toLowerCase()] = operationOf(route, gen);
  }
  schemas['gateway.Error'] = ERROR_SCHEMA;
  return {
    openapi: '3.0.3',
    info: {
      ...info,
      description:
        'HTTP/JSON gateway of VolthaService, generated from the google.api.http annotations of the ' +
        'protos. Responses use the proto field names with every field present, enums as names and ' +
        '64-bit integers as decimal strings; requests accept proto or lowerCamel field names. ' +
        'Errors are {"error", "code"} with the gRPC status name.'
    },
    paths,
    components: {
      schemas: sortKeys(schemas),
      responses: {
        Error: {
          description: 'Error; the HTTP status follows the gRPC status (404, 400, 409, 503, ...).',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/gateway.Error' } } }
        }
      }
    }
  };
}

function operationOf(route: GatewayRoute, gen: SchemaGenerator): OpenApiOperation {
  const input = route.rpc.input;
  const parameters: ParameterObject[] = [];
  const bound = new Set(route.template.variables.map((v) => v.fieldPath.join('.')));
  for (const v of route.template.variables) {
    const field = fieldAt(input, v.fieldPath);
    parameters.push({
      name: v.fieldPath.join('.'),
      in: 'path',
      required: true,
      description: `${input.typeName}.${v.fieldPath.join('.')}`,
      schema: gen.fieldSchema(field)
    });
  }
  if (route.body !== '*') {
    for (const field of input.fields) {
      if (bound.has(field.name) || field.name === route.body || RESERVED_QUERY_PARAMETERS.has(field.name)) {
        continue;
      }
      const queryable =
        field.fieldKind === 'scalar' ||
        field.fieldKind === 'enum' ||
        (field.fieldKind === 'list' && field.listKind !== 'message');
      if (!queryable) continue;
      parameters.push({
        name: field.name,
        in: 'query',
        required: false,
        description: `${input.typeName}.${field.name}`,
        schema: gen.fieldSchema(field)
      });
    }
  }
  if (route.httpMethod === 'GET' && !route.streaming) {
    const depth = {
      type: 'integer',
      format: 'int32',
      description:
        'Levels of child nodes to include (0 the node only, -1 everything); sent as gRPC metadata get-depth.'
    };
    parameters.push({ name: 'depth', in: 'query', required: false, schema: depth });
    parameters.push({ name: 'get-depth', in: 'header', required: false, schema: depth });
  }
  const op: OpenApiOperation = {
    operationId: route.operationId,
    summary: route.rpc.name,
    description:
      `gRPC ${route.grpcPath}(${input.typeName}) returns ` +
      `${route.streaming ? 'stream ' : ''}${route.rpc.output.typeName}` +
      (route.source === 'gateway' ? ' (binding added by the gateway).' : '.'),
    tags: [tagOf(route)],
    parameters,
    responses: {},
    'x-grpc-method': route.grpcPath
  };
  if (route.body === '*') {
    op.requestBody = { required: true, content: { 'application/json': { schema: gen.messageRef(input) } } };
  } else if (route.body !== '') {
    const field = input.fields.find((f) => f.name === route.body)!;
    op.requestBody = { required: true, content: { 'application/json': { schema: gen.fieldSchema(field) } } };
  }
  const output = route.rpc.output;
  const outSchema =
    route.responseBody === ''
      ? gen.messageRef(output)
      : gen.fieldSchema(output.fields.find((f) => f.name === route.responseBody)!);
  op.responses = route.streaming
    ? {
        '200': {
          description: `Server-Sent Events: one 'message' event per ${output.typeName}, data in JSON.`,
          content: { 'text/event-stream': { schema: { type: 'string' } } },
          'x-event-schema': outSchema
        },
        default: { $ref: '#/components/responses/Error' }
      }
    : {
        '200': { description: output.typeName, content: { 'application/json': { schema: outSchema } } },
        default: { $ref: '#/components/responses/Error' }
      };
  return op;
}

/** Groups operations by resource: the first literal after /api/v1 ('devices', 'logical_devices'). */
function tagOf(route: GatewayRoute): string {
  const lits = route.template.segments.flatMap((s) => (s.kind === 'literal' ? [s.value] : []));
  const start = lits[0] === 'api' && /^v\d+$/.test(lits[1] ?? '') ? 2 : 0;
  return lits[start] ?? route.rpc.parent.name;
}

function fieldAt(message: DescMessage, path: readonly string[]): DescField {
  let current = message;
  let field: DescField | undefined;
  for (const name of path) {
    field = current.fields.find((f) => f.name === name)!;
    if (field.fieldKind === 'message') current = field.message;
  }
  return field!;
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

const REF = '#/components/schemas/';

/** Well-known types with a special JSON form. */
const WKT: Readonly<Record<string, SchemaObject>> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', description: "seconds with an 's' suffix, e.g. '1.5s'" },
  'google.protobuf.FieldMask': { type: 'string', description: 'comma-separated lowerCamel field paths' },
  'google.protobuf.Empty': { type: 'object' },
  'google.protobuf.Struct': { type: 'object', additionalProperties: true },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array', items: {} },
  'google.protobuf.Any': {
    type: 'object',
    required: ['@type'],
    properties: { '@type': { type: 'string', description: "'type.googleapis.com/<full type name>'" } },
    additionalProperties: true
  },
  'google.protobuf.DoubleValue': { type: 'number', format: 'double', nullable: true },
  'google.protobuf.FloatValue': { type: 'number', format: 'float', nullable: true },
  'google.protobuf.Int64Value': { type: 'string', format: 'int64', nullable: true },
  'google.protobuf.UInt64Value': { type: 'string', format: 'uint64', nullable: true },
  'google.protobuf.Int32Value': { type: 'integer', format: 'int32', nullable: true },
  'google.protobuf.UInt32Value': { type: 'integer', format: 'int64', minimum: 0, nullable: true },
  'google.protobuf.BoolValue': { type: 'boolean', nullable: true },
  'google.protobuf.StringValue': { type: 'string', nullable: true },
  'google.protobuf.BytesValue': { type: 'string', format: 'byte', nullable: true }
};

/** JSON schema of a scalar type, as Chameleon's swagger generator typed them. */
export function scalarSchema(type: ScalarType): SchemaObject {
  switch (type) {
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return { type: 'integer', format: 'int32' };
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return { type: 'integer', format: 'int64', minimum: 0, maximum: 4294967295 };
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' };
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return { type: 'string', format: 'uint64', pattern: '^[0-9]+$' };
    case ScalarType.FLOAT:
      return { type: 'number', format: 'float' };
    case ScalarType.DOUBLE:
      return { type: 'number', format: 'double' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BYTES:
      return { type: 'string', format: 'byte' };
  }
}

class SchemaGenerator {
  public constructor(private readonly schemas: Record<string, SchemaObject>) {}

  public messageRef(desc: DescMessage): SchemaObject {
    const wkt = WKT[desc.typeName];
    if (wkt) return { ...wkt };
    if (!(desc.typeName in this.schemas)) {
      this.schemas[desc.typeName] = {}; // placeholder first: messages may be recursive
      this.schemas[desc.typeName] = this.messageSchema(desc);
    }
    return { $ref: REF + desc.typeName };
  }

  public fieldSchema(field: DescField): SchemaObject {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarSchema(field.scalar);
      case 'enum':
        return this.enumRef(field.enum);
      case 'message':
        return this.messageRef(field.message);
      case 'list': {
        const items =
          field.listKind === 'scalar'
            ? scalarSchema(field.scalar)
            : field.listKind === 'enum'
              ? this.enumRef(field.enum)
              : this.messageRef(field.message);
        return { type: 'array', items };
      }
      case 'map': {
        const values =
          field.mapKind === 'scalar'
            ? scalarSchema(field.scalar)
            : field.mapKind === 'enum'
              ? this.enumRef(field.enum)
              : this.messageRef(field.message);
        return { type: 'object', additionalProperties: values };
      }
    }
  }

  private enumRef(desc: DescEnum): SchemaObject {
    if (desc.typeName === 'google.protobuf.NullValue') return { nullable: true };
    if (!(desc.typeName in this.schemas)) {
      this.schemas[desc.typeName] = { type: 'string', enum: desc.values.map((v) => v.name) };
    }
    return { $ref: REF + desc.typeName };
  }

  private messageSchema(desc: DescMessage): SchemaObject {
    const properties: Record<string, SchemaObject> = {};
    for (const field of desc.fields) {
      const schema = this.fieldSchema(field);
      const notes: string[] = [];
      if (field.oneof) notes.push(`member of oneof '${field.oneof.name}'`);
      if (field.jsonName !== field.name) notes.push(`also accepted as '${field.jsonName}'`);
      // $ref siblings are ignored in OpenAPI 3.0, so annotations wrap the reference
      properties[field.name] = notes.length
        ? '$ref' in schema
          ? { allOf: [schema], description: notes.join('; ') }
          : { ...schema, description: notes.join('; ') }
        : schema;
    }
    const schema: SchemaObject = { type: 'object', properties };
    if (desc.oneofs.length) {
      schema.description = desc.oneofs
        .map((o) => `oneof ${o.name}: at most one of ${o.fields.map((f) => f.name).join(', ')}`)
        .join('; ');
    }
    return schema;
  }
}
