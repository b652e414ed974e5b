import { fromJson } from '@bufbuild/protobuf';
import type { Message } from '@bufbuild/protobuf';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { registry } from '@voltha/proto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';

import { GatewayHandler } from './http-gateway';
import { buildOpenApi } from './openapi';
import { buildRouteTable } from './route-table';
import type { GatewayRoute } from './route-table';
import type { UpstreamCaller } from './upstream';

interface Call {
  rpc: string;
  request: unknown;
  metadata: Record<string, string>;
}

/** An upstream that answers from a table of canned JSON responses or gRPC errors, by RPC name. */
class FakeUpstream implements UpstreamCaller {
  public readonly calls: Call[] = [];
  public readonly answers = new Map<string, unknown>();

  public async unary(
    route: GatewayRoute,
    request: Message,
    metadata: Record<string, string>
  ): Promise<Message> {
    this.calls.push({ rpc: route.rpc.name, request, metadata });
    const answer = this.answers.get(route.rpc.name) ?? {};
    if (answer instanceof Error) throw answer;
    return fromJson(route.rpc.output, answer as never, { registry });
  }

  public serverStream(): ClientReadableStream<Message> {
    throw new Error('not used');
  }
}

function grpcError(code: status, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('GatewayHandler', () => {
  const table = buildRouteTable(registry, ['voltha.VolthaService']);
  const upstream = new FakeUpstream();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const handler = new GatewayHandler({
      table,
      registry,
      upstream,
      openapi: buildOpenApi(table.routes, { title: 'T', version: '1' }),
      logger: pino({ level: 'silent' }),
      maxBodyBytes: 2048
    });
    server = createServer((req, res) => handler.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  beforeEach(() => {
    upstream.calls.length = 0;
    upstream.answers.clear();
  });

  it('should answer 200 with the proto3 JSON of the response', async () => {
    upstream.answers.set('GetLogicalDevice', { id: 'ld1', datapathId: '18446744073709551615' });
    const res = await fetch(`${base}/api/v1/logical_devices/ld1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'ld1',
      datapath_id: '18446744073709551615',
      root_device_id: '',
      ports: []
    });
    expect(upstream.calls).toEqual([expect.objectContaining({ rpc: 'GetLogicalDevice', metadata: {} })]);
  });

  it('should accept a trailing slash', async () => {
    upstream.answers.set('ListDevices', { items: [] });
    const res = await fetch(`${base}/api/v1/devices/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
  });

  it('should forward get-depth from the header or the depth parameter', async () => {
    await fetch(`${base}/api/v1/devices/d1`, { headers: { 'get-depth': '-1' } });
    await fetch(`${base}/api/v1/devices/d1?depth=2`);
    await fetch(`${base}/api/v1/devices/d1?depth=3`, { headers: { 'get-depth': '1' } });
    expect(upstream.calls.map((c) => c.metadata)).toEqual([
      { 'get-depth': '-1' },
      { 'get-depth': '2' },
      { 'get-depth': '1' }
    ]);
    const bad = await fetch(`${base}/api/v1/devices/d1?depth=all`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "get-depth/depth 'all' is not an integer",
      code: 'INVALID_ARGUMENT'
    });
  });

  it.each([
    [status.NOT_FOUND, 404],
    [status.INVALID_ARGUMENT, 400],
    [status.FAILED_PRECONDITION, 409],
    [status.ALREADY_EXISTS, 409],
    [status.UNAVAILABLE, 503],
    [status.DEADLINE_EXCEEDED, 504],
    [status.INTERNAL, 500]
  ])('should map gRPC status %i to HTTP %i with an error body', async (code, http) => {
    upstream.answers.set('EnableDevice', grpcError(code, 'the details'));
    const res = await fetch(`${base}/api/v1/devices/d1/enable`, { method: 'POST' });
    expect(res.status).toBe(http);
    expect(await res.json()).toEqual({ error: 'the details', code: status[code] });
  });

  it('should answer 500 INTERNAL for a failure that is not a gRPC status', async () => {
    upstream.answers.set('GetHealth', new Error('bug'));
    const res = await fetch(`${base}/api/v1/health`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'bug', code: 'INTERNAL' });
  });

  it('should answer 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const unknown = await fetch(`${base}/api/v1/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: 'no route for GET /api/v1/nothing/here',
      code: 'NOT_FOUND'
    });
    expect((await fetch(`${base}//api/v1/devices`)).status).toBe(404);
    const wrong = await fetch(`${base}/api/v1/devices/d1`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await wrong.json()).toMatchObject({ code: 'UNIMPLEMENTED' });
    const patch = await fetch(`${base}/api/v1/devices`, { method: 'PATCH', body: '{}' });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, POST');
    const builtin = await fetch(`${base}/api/v1/openapi.json`, { method: 'POST' });
    expect(builtin.status).toBe(405);
    expect(upstream.calls).toEqual([]);
  });

  it('should answer 400 for bad requests without calling upstream', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${base}/api/v1/devices`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' }
      });
    const malformed = await post('{"type": "olt"');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/^malformed JSON in request body/);
    const unknown = await post('{"type":"olt","colour":"red"}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: 'request body: cannot decode message voltha.Device from JSON: key "colour" is unknown',
      code: 'INVALID_ARGUMENT'
    });
    const query = await fetch(`${base}/api/v1/devices?kind=olt`);
    expect(query.status).toBe(400);
    const encoding = await fetch(`${base}/api/v1/devices/%E0%A4%A`);
    expect(encoding.status).toBe(400);
    const utf8 = await fetch(`${base}/api/v1/devices`, {
      method: 'POST',
      body: Buffer.from([0x7b, 0xff, 0x7d])
    });
    expect(utf8.status).toBe(400);
    expect(upstream.calls).toEqual([]);
  });

  it('should answer 413 for bodies over the limit', async () => {
    const res = await fetch(`${base}/api/v1/devices`, {
      method: 'POST',
      body: JSON.stringify({ type: 'x'.repeat(4096) })
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
  });

  it('should pass the request message built from path and body', async () => {
    upstream.answers.set('CreateDevice', { id: 'd9', type: 'simulated_olt' });
    const res = await fetch(`${base}/api/v1/devices`, {
      method: 'POST',
      body: JSON.stringify({ type: 'simulated_olt', hostAndPort: '1.2.3.4:5' })
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe('d9');
    expect(upstream.calls[0].request).toMatchObject({
      type: 'simulated_olt',
      address: { case: 'hostAndPort' }
    });
  });

  it('should serve the OpenAPI document, the docs page, and redirect / to the docs', async () => {
    const spec = await fetch(`${base}/api/v1/openapi.json`);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.0.3');
    const docs = await fetch(`${base}/api/v1/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await docs.text();
    expect(html).toContain('/api/v1/openapi.json');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/i);
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/api/v1/docs');
    // 1.x system tests expected HTML mentioning swagger at /
    expect(await (await fetch(`${base}/`)).text()).toContain('swagger');
  });
});
