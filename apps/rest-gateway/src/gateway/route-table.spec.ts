import { getOption, hasOption } from '@bufbuild/protobuf';
import { registry } from '@voltha/proto';

import { syntheticRegistry } from '../../test/support/synthetic-registry';
import { openApiPath } from './path-template';
import { GATEWAY_BINDINGS, RouteTableError, buildRouteTable } from './route-table';

/** The HTTP surface of VolthaService (spec §3.2, as annotated in voltha_service.proto). */
const EXPECTED: Array<[string, string, string, string]> = [
  ['GetVoltha', 'GET', '/api/v1', ''],
  ['GetHealth', 'GET', '/api/v1/health', ''],
  ['ListAdapters', 'GET', '/api/v1/adapters', ''],
  ['ListDeviceTypes', 'GET', '/api/v1/device_types', ''],
  ['GetDeviceType', 'GET', '/api/v1/device_types/{id}', ''],
  ['ListDeviceGroups', 'GET', '/api/v1/device_groups', ''],
  ['ListDevices', 'GET', '/api/v1/devices', ''],
  ['GetDevice', 'GET', '/api/v1/devices/{id}', ''],
  ['CreateDevice', 'POST', '/api/v1/devices', '*'],
  ['EnableDevice', 'POST', '/api/v1/devices/{id}/enable', ''],
  ['DisableDevice', 'POST', '/api/v1/devices/{id}/disable', ''],
  ['RebootDevice', 'POST', '/api/v1/devices/{id}/reboot', ''],
  ['DeleteDevice', 'DELETE', '/api/v1/devices/{id}/delete', ''],
  ['ListDevicePorts', 'GET', '/api/v1/devices/{id}/ports', ''],
  ['ListDevicePmConfigs', 'GET', '/api/v1/devices/{id}/pm_configs', ''],
  ['ListDeviceFlows', 'GET', '/api/v1/devices/{id}/flows', ''],
  ['ListDeviceFlowGroups', 'GET', '/api/v1/devices/{id}/flow_groups', ''],
  ['ListLogicalDevices', 'GET', '/api/v1/logical_devices', ''],
  ['GetLogicalDevice', 'GET', '/api/v1/logical_devices/{id}', ''],
  ['ListLogicalDevicePorts', 'GET', '/api/v1/logical_devices/{id}/ports', ''],
  ['ListLogicalDeviceFlows', 'GET', '/api/v1/logical_devices/{id}/flows', ''],
  ['UpdateLogicalDeviceFlowTable', 'POST', '/api/v1/logical_devices/{id}/flows', '*'],
  ['ListLogicalDeviceFlowGroups', 'GET', '/api/v1/logical_devices/{id}/flow_groups', ''],
  ['UpdateLogicalDeviceFlowGroupTable', 'POST', '/api/v1/logical_devices/{id}/flow_groups', '*']
];

describe('route table of VolthaService', () => {
  const table = buildRouteTable(registry, ['voltha.VolthaService']);

  it('should give every annotated RPC its route, read from the descriptors', () => {
    const httpExt = registry.getExtension('google.api.http')!;
    const service = registry.getService('voltha.VolthaService')!;
    const annotated = service.methods.filter((m) => hasOption(m, httpExt));
    expect(annotated.length).toBeGreaterThanOrEqual(EXPECTED.length);
    for (const rpc of annotated) {
      const rule = getOption(rpc, httpExt) as unknown as {
        pattern: { case: string; value: string };
        body: string;
      };
      const route = table.routes.find((r) => r.rpc.name === rpc.name && r.source === 'annotation');
      expect(route).toBeDefined();
      expect(route!.httpMethod.toLowerCase()).toBe(rule.pattern.case);
      expect(route!.template.source).toBe(rule.pattern.value);
      expect(route!.body).toBe(rule.body);
      expect(route!.grpcPath).toBe(`/voltha.VolthaService/${rpc.name}`);
    }
  });

  it('should produce the 1.x REST surface', () => {
    const generated = table.routes
      .filter((r) => r.source === 'annotation')
      .map((r) => [r.rpc.name, r.httpMethod, openApiPath(r.template), r.body]);
    expect(generated).toEqual(expect.arrayContaining(EXPECTED));
  });

  it('should serve ReceiveChangeEvents as an event stream at GET /api/v1/events', () => {
    const events = table.routes.filter((r) => r.rpc.name === 'ReceiveChangeEvents');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ httpMethod: 'GET', streaming: true, source: 'gateway' });
    expect(events[0].template.source).toBe('/api/v1/events');
    expect(table.skipped).toEqual([]);
  });

  it('should skip the unannotated streaming RPC without the gateway binding', () => {
    const bare = buildRouteTable(registry, ['voltha.VolthaService'], []);
    expect(bare.skipped).toEqual([
      { rpc: 'voltha.VolthaService.ReceiveChangeEvents', reason: 'no google.api.http annotation' }
    ]);
    expect(bare.routes.some((r) => r.streaming)).toBe(false);
  });

  it('should find routes, prefer literals, and tell 405 from 404', () => {
    const get = table.match('GET', '/api/v1/devices/d1');
    expect(get.kind).toBe('found');
    if (get.kind === 'found') {
      expect(get.route.rpc.name).toBe('GetDevice');
      expect(get.params.get('id')).toBe('d1');
    }
    const enable = table.match('POST', '/api/v1/devices/d1/enable');
    expect(enable.kind === 'found' && enable.route.rpc.name).toBe('EnableDevice');
    const flows = table.match('POST', '/api/v1/logical_devices/ld1/flows');
    expect(flows.kind === 'found' && flows.route.rpc.name).toBe('UpdateLogicalDeviceFlowTable');
    expect(table.match('GET', '/api/v1').kind).toBe('found');
    expect(table.match('PUT', '/api/v1/devices')).toEqual({
      kind: 'method-not-allowed',
      allow: ['GET', 'POST']
    });
    expect(table.match('GET', '/api/v1/devices/d1/enable')).toEqual({
      kind: 'method-not-allowed',
      allow: ['POST']
    });
    expect(table.match('GET', '/api/v1/nothing')).toEqual({ kind: 'not-found' });
    expect(table.match('GET', '/api/v2/devices')).toEqual({ kind: 'not-found' });
  });

  it('should list the gateway bindings it knows', () => {
    expect(GATEWAY_BINDINGS.map((b) => b.rpc)).toEqual(['voltha.VolthaService.ReceiveChangeEvents']);
  });
});

describe('route table from other annotations', () => {
  it('should add additional bindings, custom verbs, body fields and response_body', () => {
    const reg = syntheticRegistry([
      {
        name: 'Get',
        input: 'test.Query',
        output: 'test.Query',
        http: {
          get: '/v1/q/{id}',
          responseBody: 'inner',
          additionalBindings: [
            { custom: { kind: 'PATCH', path: '/v1/q/{inner.name}:touch' }, body: 'items' },
            { put: '/v1/q', body: '*' }
          ]
        }
      },
      { name: 'Del', input: 'test.Query', output: 'google.protobuf.Empty', http: { delete: '/v1/q/{id}' } }
    ]);
    const table = buildRouteTable(reg, ['test.TestService'], []);
    const summary = table.routes.map((r) => [
      r.operationId,
      r.httpMethod,
      r.template.source,
      r.body,
      r.responseBody
    ]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['Get', 'GET', '/v1/q/{id}', '', 'inner'],
        ['Get_2', 'PATCH', '/v1/q/{inner.name}:touch', 'items', ''],
        ['Get_3', 'PUT', '/v1/q', '*', ''],
        ['Del', 'DELETE', '/v1/q/{id}', '', '']
      ])
    );
    expect(table.routes).toHaveLength(4);
    const patch = table.match('PATCH', '/v1/q/n1:touch');
    expect(patch.kind === 'found' && patch.params.get('inner.name')).toBe('n1');
  });

  it('should skip client-streaming and bidirectional RPCs and serve server streams by GET', () => {
    const reg = syntheticRegistry([
      {
        name: 'Up',
        input: 'test.Query',
        output: 'voltha.ID',
        clientStreaming: true,
        http: { post: '/v1/up' }
      },
      {
        name: 'Both',
        input: 'test.Query',
        output: 'voltha.ID',
        clientStreaming: true,
        serverStreaming: true,
        http: { post: '/v1/both' }
      },
      {
        name: 'Down',
        input: 'test.Query',
        output: 'voltha.ID',
        serverStreaming: true,
        http: { get: '/v1/down' }
      }
    ]);
    const table = buildRouteTable(reg, ['test.TestService'], []);
    expect(table.routes.map((r) => [r.rpc.name, r.streaming])).toEqual([['Down', true]]);
    expect(table.skipped.map((s) => s.reason)).toEqual([
      'client-streaming RPCs have no HTTP form',
      'bidi-streaming RPCs have no HTTP form'
    ]);
  });

  it.each([
    [{ get: '/v1/{nope}' }, "no field 'nope' in test.Query"],
    [{ get: '/v1/{inner}' }, "path variable 'inner' is not a singular scalar"],
    [{ get: '/v1/{tags}' }, "path variable 'tags' is not a singular scalar"],
    [{ post: '/v1/x', body: 'missing' }, "body field 'missing' not in test.Query"],
    [{ post: '/v1/{inner.name}', body: 'inner' }, "body field 'inner' is also bound by the path"],
    [{ get: '/v1/x', responseBody: 'missing' }, "response_body field 'missing' not in voltha.ID"],
    [{ custom: { kind: 'HEAD', path: '/v1/x' } }, 'HTTP method HEAD is not supported'],
    [{ get: 'v1/x' }, "must start with '/'"],
    [{}, 'rule without a pattern']
  ])('should reject the rule %j', (http, problem) => {
    const reg = syntheticRegistry([{ name: 'M', input: 'test.Query', output: 'voltha.ID', http }]);
    expect(() => buildRouteTable(reg, ['test.TestService'], [])).toThrow(RouteTableError);
    expect(() => buildRouteTable(reg, ['test.TestService'], [])).toThrow(problem);
  });

  it('should reject routes that clash and streams not served by GET', () => {
    const clash = syntheticRegistry([
      { name: 'A', input: 'test.Query', output: 'voltha.ID', http: { get: '/v1/q/{id}' } },
      { name: 'B', input: 'test.Query', output: 'voltha.ID', http: { get: '/v1/q/{inner.name}' } }
    ]);
    expect(() => buildRouteTable(clash, ['test.TestService'], [])).toThrow('clashes with /v1/q/{id} of A');
    const postStream = syntheticRegistry([
      { name: 'S', input: 'test.Query', output: 'voltha.ID', serverStreaming: true, http: { post: '/v1/s' } }
    ]);
    expect(() => buildRouteTable(postStream, ['test.TestService'], [])).toThrow('served by GET only');
  });

  it('should reject unknown services and bindings for unknown RPCs', () => {
    expect(() => buildRouteTable(registry, ['voltha.Nope'])).toThrow('unknown service voltha.Nope');
    expect(() =>
      buildRouteTable(
        registry,
        ['voltha.VolthaService'],
        [{ rpc: 'voltha.VolthaService.Nope', method: 'GET', path: '/x' }]
      )
    ).toThrow('gateway binding for unknown RPC voltha.VolthaService.Nope');
  });
});
