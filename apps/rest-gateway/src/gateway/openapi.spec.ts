import { registry } from '@voltha/proto';

import { syntheticRegistry } from '../../test/support/synthetic-registry';
import { buildOpenApi } from './openapi';
import type { OpenApiDocument, ParameterObject, SchemaObject } from './openapi';
import { openApiPath } from './path-template';
import { buildRouteTable } from './route-table';

const table = buildRouteTable(registry, ['voltha.VolthaService']);
const doc = buildOpenApi(table.routes, { title: 'VOLTHA REST API', version: '0.1.0' });

/** Every `$ref` anywhere in a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolveRef(d: OpenApiDocument, ref: string): unknown {
  const parts = ref.replace(/^#\//, '').split('/');
  let cur: unknown = d;
  for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return cur;
}

const SCHEMA_TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** Structural checks of a schema object: known types, arrays with items, refs or combinators. */
function checkSchema(schema: SchemaObject, where: string): void {
  if ('$ref' in schema) return;
  if ('allOf' in schema) {
    (schema.allOf as SchemaObject[]).forEach((s, i) => checkSchema(s, `${where}.allOf[${i}]`));
    return;
  }
  if (schema.type === undefined) return; // google.protobuf.Value / NullValue: any
  expect(SCHEMA_TYPES.has(schema.type as string)).toBe(true);
  if (schema.type === 'array') checkSchema(schema.items as SchemaObject, `${where}.items`);
  if (schema.type === 'object' && schema.properties) {
    for (const [k, v] of Object.entries(schema.properties as Record<string, SchemaObject>)) {
      checkSchema(v, `${where}.${k}`);
    }
  }
  if (schema.enum) expect(schema.type).toBe('string');
}

function op(path: string, method: string): Record<string, unknown> {
  const o = doc.paths[path]?.[method];
  if (!o) throw new Error(`no ${method} ${path}`);
  return o as unknown as Record<string, unknown>;
}

describe('OpenAPI document', () => {
  it('should be a JSON-serialisable OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(doc.info).toMatchObject({ title: 'VOLTHA REST API', version: '0.1.0' });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    for (const path of Object.keys(doc.paths)) expect(path.startsWith('/')).toBe(true);
  });

  it('should cover every route with one operation', () => {
    for (const r of table.routes) {
      expect(op(openApiPath(r.template), r.httpMethod.toLowerCase())['x-grpc-method']).toBe(r.grpcPath);
    }
    const count = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(count).toBe(table.routes.length);
    const ids = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should declare each path variable as a required path parameter, and nothing else in the path', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const vars = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const o of Object.values(item)) {
        const inPath = o.parameters.filter((p) => p.in === 'path');
        expect(inPath.map((p) => p.name).sort()).toEqual(vars);
        expect(inPath.every((p) => p.required)).toBe(true);
        for (const p of o.parameters) checkSchema(p.schema, `${path} ${p.name}`);
      }
    }
  });

  it('should resolve every $ref and keep schemas well formed', () => {
    for (const ref of refs(doc)) expect(resolveRef(doc, ref)).toBeDefined();
    for (const [name, schema] of Object.entries(doc.components.schemas)) checkSchema(schema, name);
  });

  it('should type 64-bit integers as strings and enums as string enums', () => {
    const schemas = doc.components.schemas;
    const props = (name: string): Record<string, SchemaObject> =>
      schemas[name].properties as Record<string, SchemaObject>;
    expect(props('voltha.LogicalDevice').datapath_id).toEqual({
      type: 'string',
      format: 'uint64',
      pattern: '^[0-9]+$',
      description: "also accepted as 'datapathId'"
    });
    expect(props('openflow_13.ofp_flow_stats').cookie).toMatchObject({ type: 'string', format: 'uint64' });
    expect(props('openflow_13.ofp_flow_stats').packet_count).toMatchObject({ type: 'string' });
    expect(props('voltha.Device').vlan).toMatchObject({ type: 'integer' });
    expect(props('voltha.Device').admin_state).toEqual({
      allOf: [{ $ref: '#/components/schemas/voltha.AdminState.AdminState' }],
      description: "also accepted as 'adminState'"
    });
    expect(schemas['voltha.AdminState.AdminState']).toEqual({
      type: 'string',
      enum: ['UNKNOWN', 'PREPROVISIONED', 'DISABLED', 'ENABLED', 'DOWNLOADING_IMAGE']
    });
    expect(props('voltha.Device').ports).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/voltha.Port' }
    });
    expect(props('voltha.Device').host_and_port.description).toContain("member of oneof 'address'");
  });

  it('should map well-known types to their JSON forms', () => {
    const event = doc.components.schemas['voltha.ConfigEvent'].properties as Record<string, SchemaObject>;
    expect(event.timestamp).toEqual({ type: 'string', format: 'date-time' });
    expect(event.message).toMatchObject({ type: 'object', required: ['@type'] });
    expect(event.seq).toMatchObject({ type: 'string', format: 'uint64' });
    expect(doc.components.schemas['google.protobuf.Empty']).toBeUndefined();
    const enable = op('/api/v1/devices/{id}/enable', 'post');
    expect((enable.responses as Record<string, { content: Record<string, unknown> }>)['200'].content).toEqual(
      {
        'application/json': { schema: { type: 'object' } }
      }
    );
  });

  it('should describe request bodies, depth parameters, errors and the event stream', () => {
    const createOp = op('/api/v1/devices', 'post');
    expect(createOp.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/voltha.Device' } } }
    });
    expect(op('/api/v1/logical_devices/{id}/flows', 'post').requestBody).toMatchObject({
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/openflow_13.FlowTableUpdate' } }
      }
    });
    const getDevice = op('/api/v1/devices/{id}', 'get');
    expect((getDevice.parameters as ParameterObject[]).map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:depth',
      'header:get-depth'
    ]);
    expect(getDevice.requestBody).toBeUndefined();
    expect(getDevice.tags).toEqual(['devices']);
    expect((getDevice.responses as Record<string, unknown>).default).toEqual({
      $ref: '#/components/responses/Error'
    });
    expect(doc.components.schemas['gateway.Error']).toMatchObject({ required: ['error', 'code'] });
    const events = op('/api/v1/events', 'get');
    expect(Object.keys((events.responses as Record<string, { content: object }>)['200'].content)).toEqual([
      'text/event-stream'
    ]);
    expect(op('/api/v1', 'get').tags).toEqual(['VolthaService']);
  });

  it('should list query parameters for non-body requests and schemas for body fields', () => {
    const reg = syntheticRegistry([
      {
        name: 'Find',
        input: 'test.Query',
        output: 'test.Query',
        http: { get: '/v1/find/{id}', responseBody: 'inner' }
      },
      { name: 'Put', input: 'test.Query', output: 'voltha.ID', http: { put: '/v1/put/{id}', body: 'inner' } }
    ]);
    const t = buildRouteTable(reg, ['test.TestService'], []);
    const d = buildOpenApi(t.routes, { title: 't', version: '1' });
    const find = d.paths['/v1/find/{id}'].get;
    expect(find.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:flag',
      'query:admin_state',
      'query:big_count',
      'query:tags',
      'query:limit',
      'query:depth',
      'header:get-depth'
    ]);
    expect(find.parameters.find((p) => p.name === 'big_count')!.schema).toMatchObject({ type: 'string' });
    expect(find.parameters.find((p) => p.name === 'tags')!.schema).toEqual({
      type: 'array',
      items: { type: 'string' }
    });
    expect(find.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/test.Inner' } } }
    });
    const put = d.paths['/v1/put/{id}'].put;
    expect(put.requestBody!.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/test.Inner'
    });
    expect(put.parameters.map((p) => p.name)).toEqual([
      'id',
      'flag',
      'admin_state',
      'big_count',
      'tags',
      'limit'
    ]);
    for (const ref of refs(d)) expect(resolveRef(d, ref)).toBeDefined();
  });
});
