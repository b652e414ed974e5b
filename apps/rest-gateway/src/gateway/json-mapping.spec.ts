import { create, fromBinary, fromJson, toBinary } from '@bufbuild/protobuf';
import type { Registry } from '@bufbuild/protobuf';
import { LogicalDevice, registry } from '@voltha/proto';

import { syntheticRegistry } from '../../test/support/synthetic-registry';
import { RequestMappingError, buildRequest, renderMessage, renderResponse } from './json-mapping';
import type { PathParams } from './path-template';
import { buildRouteTable } from './route-table';
import type { GatewayRoute, RouteTable } from './route-table';

const table = buildRouteTable(registry, ['voltha.VolthaService']);

function route(t: RouteTable, name: string, method?: string): GatewayRoute {
  const r = t.routes.find((x) => x.rpc.name === name && (!method || x.httpMethod === method));
  if (!r) throw new Error(`no route ${name}`);
  return r;
}

function request(
  r: GatewayRoute,
  parts: { params?: Record<string, string>; query?: string; body?: string },
  reg: Registry = registry
): Record<string, unknown> {
  const message = buildRequest(
    r,
    {
      params: new Map(Object.entries(parts.params ?? {})) as PathParams,
      query: new URLSearchParams(parts.query ?? ''),
      body: parts.body ?? ''
    },
    reg
  );
  return renderMessage(r.rpc.input, message, reg) as Record<string, unknown>;
}

function mappingError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RequestMappingError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('JSON → request message', () => {
  it('should fill path variables', () => {
    expect(request(route(table, 'GetDevice'), { params: { id: 'd 1' } })).toEqual({ id: 'd 1' });
  });

  it('should accept proto and lowerCamel names in the body', () => {
    const create = route(table, 'CreateDevice');
    const body = JSON.stringify({
      type: 'simulated_olt',
      host_and_port: '10.0.0.1:50060',
      adminState: 'PREPROVISIONED'
    });
    const json = request(create, { body });
    expect(json).toMatchObject({
      type: 'simulated_olt',
      host_and_port: '10.0.0.1:50060',
      admin_state: 'PREPROVISIONED'
    });
    expect(request(create, { body: JSON.stringify({ parentPortNo: 3, vlan: '7' }) })).toMatchObject({
      parent_port_no: 3,
      vlan: 7
    });
  });

  it('should let path variables win over the body', () => {
    const update = route(table, 'UpdateLogicalDeviceFlowTable');
    const body = JSON.stringify({
      id: 'from-body',
      flow_mod: { cookie: '18446744073709551615', priority: 1000 }
    });
    const json = request(update, { params: { id: 'ld1' }, body });
    expect(json.id).toBe('ld1');
    expect(json.flow_mod).toMatchObject({ cookie: '18446744073709551615', priority: 1000 });
  });

  it('should take 64-bit integers as strings or safe numbers', () => {
    const update = route(table, 'UpdateLogicalDeviceFlowTable');
    const asString = request(update, {
      params: { id: 'l' },
      body: '{"flow_mod":{"cookie":"9007199254740993"}}'
    });
    expect((asString.flow_mod as { cookie: string }).cookie).toBe('9007199254740993');
    const asNumber = request(update, { params: { id: 'l' }, body: '{"flowMod":{"cookie":42}}' });
    expect((asNumber.flow_mod as { cookie: string }).cookie).toBe('42');
  });

  it('should treat an empty body as an empty message and ignore bodies of body-less routes', () => {
    expect(request(route(table, 'CreateDevice'), { body: '  ' })).toMatchObject({ id: '', type: '' });
    expect(
      request(route(table, 'EnableDevice'), { params: { id: 'd1' }, body: '{"id":"x","junk":1}' })
    ).toEqual({
      id: 'd1'
    });
  });

  it('should reject malformed JSON, non-objects, unknown fields and wrong types', () => {
    const create = route(table, 'CreateDevice');
    expect(mappingError(() => request(create, { body: '{"type":' }))).toMatch(
      /^malformed JSON in request body/
    );
    expect(mappingError(() => request(create, { body: '[1,2]' }))).toBe('request body must be a JSON object');
    expect(mappingError(() => request(create, { body: 'null' }))).toBe('request body must be a JSON object');
    expect(mappingError(() => request(create, { body: '{"bogus":1}' }))).toContain('key "bogus" is unknown');
    expect(mappingError(() => request(create, { body: '{"vlan":"abc"}' }))).toContain('voltha.Device.vlan');
    expect(mappingError(() => request(create, { body: '{"admin_state":"SIDEWAYS"}' }))).toContain('SIDEWAYS');
    const update = route(table, 'UpdateLogicalDeviceFlowTable');
    expect(
      mappingError(() => request(update, { params: { id: 'l' }, body: '{"flow_mod":{"cookie":1.5}}' }))
    ).toContain('cookie');
  });

  it('should reject query parameters that name no field, and any on whole-body requests', () => {
    expect(mappingError(() => request(route(table, 'ListDevices'), { query: 'type=olt' }))).toBe(
      "unknown query parameter 'type'"
    );
    expect(
      mappingError(() => request(route(table, 'GetDevice'), { params: { id: 'd1' }, query: 'id=d2' }))
    ).toBe("query parameter 'id' is already bound by the path");
    expect(mappingError(() => request(route(table, 'CreateDevice'), { body: '{}', query: 'x=1' }))).toContain(
      "unknown query parameter 'x'"
    );
  });

  it('should leave the reserved depth parameter to the gateway', () => {
    expect(request(route(table, 'ListDevices'), { query: 'depth=-1' })).toEqual({});
    expect(request(route(table, 'CreateDevice'), { body: '{}', query: 'depth=2' })).toMatchObject({ id: '' });
  });

  describe('query parameters of GET requests', () => {
    const reg = syntheticRegistry([
      { name: 'Find', input: 'test.Query', output: 'voltha.ID', http: { get: '/v1/find/{id}' } },
      { name: 'Put', input: 'test.Query', output: 'voltha.ID', http: { put: '/v1/put/{id}', body: 'inner' } }
    ]);
    const t = buildRouteTable(reg, ['test.TestService'], []);
    const find = route(t, 'Find');

    it('should map scalars, enums, booleans, 64-bit, repeated and nested fields by proto or JSON name', () => {
      const json = request(
        find,
        {
          params: { id: 'x' },
          query:
            'flag=true&adminState=ENABLED&big_count=18446744073709551615&tags=a&tags=b&inner.name=n&inner.level=3'
        },
        reg
      );
      expect(json).toEqual({
        id: 'x',
        flag: true,
        admin_state: 'ENABLED',
        big_count: '18446744073709551615',
        tags: ['a', 'b'],
        inner: { name: 'n', level: 3 },
        limit: 0,
        items: []
      });
      expect(request(find, { params: { id: 'x' }, query: 'admin_state=3' }, reg).admin_state).toBe('ENABLED');
    });

    it('should reject bad values and misuse', () => {
      const bad = (query: string): string =>
        mappingError(() => request(find, { params: { id: 'x' }, query }, reg));
      expect(bad('flag=yes')).toBe("flag: 'yes' is not a boolean (true or false)");
      expect(bad('limit=1&limit=2')).toBe("query parameter 'limit' given more than once");
      expect(bad('limit=ten')).toContain('test.Query.limit');
      expect(bad('inner=x')).toBe("query parameter 'inner' does not name a scalar field");
      expect(bad('items=x')).toBe("query parameter 'items' does not name a scalar field");
      expect(bad('inner.nope=x')).toBe("unknown query parameter 'inner.nope'");
    });

    it('should put a body into the named field and keep query parameters out of it', () => {
      const put = route(t, 'Put');
      const json = request(
        put,
        { params: { id: 'x' }, query: 'limit=5', body: '{"name":"in","level":2}' },
        reg
      );
      expect(json).toMatchObject({ id: 'x', limit: 5, inner: { name: 'in', level: 2 } });
      expect(
        mappingError(() => request(put, { params: { id: 'x' }, query: 'inner.name=q', body: '{}' }, reg))
      ).toBe("query parameter 'inner.name' is part of the request body");
      expect(mappingError(() => request(put, { params: { id: 'x' }, body: '{"nope":1}' }, reg))).toContain(
        'key "nope" is unknown'
      );
    });
  });
});

describe('response message → JSON', () => {
  it('should render snake_case names, defaults, enum names and 64-bit strings', () => {
    const getLd = route(table, 'GetLogicalDevice');
    const desc = getLd.rpc.output;
    const message = fromJson(desc, {
      id: 'ld1',
      datapathId: '18446744073709551615',
      rootDeviceId: 'd1',
      desc: { mfrDesc: 'VOLTHA' }
    });
    const json = renderResponse(getLd, message, registry) as Record<string, unknown>;
    expect(json).toMatchObject({
      id: 'ld1',
      datapath_id: '18446744073709551615',
      root_device_id: 'd1',
      ports: []
    });
    expect(json.desc).toMatchObject({ mfr_desc: 'VOLTHA', hw_desc: '' });

    const device = renderMessage(
      registry.getMessage('voltha.Device')!,
      create(registry.getMessage('voltha.Device')!),
      registry
    );
    expect(device).toMatchObject({
      id: '',
      vlan: 0,
      root: false,
      admin_state: 'UNKNOWN',
      oper_status: 'UNKNOWN',
      ports: []
    });
  });

  it('should read what the ts-proto side encodes (binary interop)', () => {
    const getLd = route(table, 'GetLogicalDevice');
    const bytes = LogicalDevice.encode(
      LogicalDevice.fromPartial({ id: 'ld2', datapathId: '81985529216486895' })
    ).finish();
    const message = fromBinary(getLd.rpc.output, bytes);
    expect(renderResponse(getLd, message, registry)).toMatchObject({
      id: 'ld2',
      datapath_id: '81985529216486895'
    });
    expect(toBinary(getLd.rpc.output, message)).toEqual(bytes);
  });

  it('should render Empty as {} and pick response_body fields', () => {
    expect(
      renderResponse(
        route(table, 'EnableDevice'),
        create(registry.getMessage('google.protobuf.Empty')!),
        registry
      )
    ).toEqual({});
    const reg = syntheticRegistry([
      {
        name: 'Get',
        input: 'voltha.ID',
        output: 'test.Query',
        http: { get: '/v1/{id}', responseBody: 'inner' }
      }
    ]);
    const r = route(buildRouteTable(reg, ['test.TestService'], []), 'Get');
    const out = fromJson(reg.getMessage('test.Query')!, { inner: { name: 'n' } });
    expect(renderResponse(r, out, reg)).toEqual({ name: 'n', level: 0 });
  });
});
