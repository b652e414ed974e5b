import pino from 'pino';

import { startRestGateway } from '../src/app/rest-gateway';
import type { RestGateway } from '../src/app/rest-gateway';
import { readRestGatewayConfig } from '../src/app/rest-gateway.config';
import { FakeVolthaService } from './support/fake-voltha-service';

/**
 * The gateway in-process against a fake VolthaService over real gRPC, checked with real HTTP
 * requests: the generated routes, the JSON mapping, the status mapping, the event stream, and
 * survival of a core-config restart.
 */
describe('rest-gateway against a fake VolthaService', () => {
  const fake = new FakeVolthaService();
  let grpcPort: number;
  let gateway: RestGateway;
  let base: string;

  beforeAll(async () => {
    grpcPort = await fake.start();
    const config = readRestGatewayConfig(
      [
        `--voltha=127.0.0.1:${grpcPort}`,
        '--http-host=127.0.0.1',
        '--http-port=0',
        '--probe-host=127.0.0.1',
        '--probe-port=0',
        '--request-timeout=1000',
        '--reconnect-max-backoff=300',
        '--shutdown-timeout=2000'
      ],
      {}
    );
    gateway = await startRestGateway(config, pino({ level: 'silent' }));
    base = `http://127.0.0.1:${gateway.httpPort}`;
  });

  afterAll(async () => {
    await gateway?.close();
    fake.stop();
  });

  const get = async (path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  it('should list devices with snake_case names, every field, and enum names', async () => {
    const { status, body } = await get('/api/v1/devices');
    expect(status).toBe(200);
    const items = (body as { items: Array<Record<string, unknown>> }).items;
    expect(items.map((d) => d.id)).toEqual(['d1', 'd2']);
    expect(items[0]).toMatchObject({
      id: 'd1',
      type: 'simulated_olt',
      root: true,
      parent_id: 'ld1',
      host_and_port: '10.0.0.1:50060',
      admin_state: 'ENABLED',
      oper_status: 'ACTIVE',
      connect_status: 'REACHABLE',
      vendor: '',
      vlan: 0,
      ports: []
    });
    expect(items[1]).toMatchObject({ parent_port_no: 1, admin_state: 'PREPROVISIONED', root: false });
  });

  it('should get one device and forward get-depth', async () => {
    fake.depths.length = 0;
    const { status, body } = await get('/api/v1/devices/d1', { headers: { 'get-depth': '-1' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'd1', admin_state: 'ENABLED' });
    await get('/api/v1/devices/d1?depth=2');
    await get('/api/v1/devices/d1');
    expect(fake.depths).toEqual(['-1', '2', undefined]);
  });

  it('should render 64-bit integers as decimal strings', async () => {
    const ld = await get('/api/v1/logical_devices/ld1');
    expect(ld.status).toBe(200);
    expect(ld.body).toMatchObject({
      id: 'ld1',
      datapath_id: '18446744073709551615',
      desc: { mfr_desc: 'VOLTHA Project', hw_desc: '' },
      switch_features: { datapath_id: '18446744073709551615', n_buffers: 256, n_tables: 2 }
    });
    const flows = await get('/api/v1/logical_devices/ld1/flows');
    expect(flows.body).toMatchObject({
      items: [
        { id: '12345678901234567890', cookie: '9223372036854775808', packet_count: '0', priority: 1000 }
      ]
    });
  });

  it('should create a device from a JSON body (proto or lowerCamel names)', async () => {
    const { status, body } = await get('/api/v1/devices', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'simulated_olt', hostAndPort: '10.0.0.9:50060' })
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'd3',
      type: 'simulated_olt',
      host_and_port: '10.0.0.9:50060',
      admin_state: 'PREPROVISIONED'
    });
  });

  it('should post a flow table update with the id from the path and a 64-bit cookie', async () => {
    const { status, body } = await get('/api/v1/logical_devices/ld1/flows', {
      method: 'POST',
      body: JSON.stringify({
        flow_mod: { command: 'OFPFC_ADD', cookie: '18446744073709551615', priority: 1000 }
      })
    });
    expect(status).toBe(200);
    expect(body).toEqual({});
    expect(fake.flowUpdates.at(-1)).toMatchObject({
      id: 'ld1',
      flowMod: { cookie: '18446744073709551615', priority: 1000 }
    });
  });

  it('should enable, then refuse to enable again with 409', async () => {
    expect(await get('/api/v1/devices/d3/enable', { method: 'POST' })).toEqual({ status: 200, body: {} });
    expect(await get('/api/v1/devices/d3/enable', { method: 'POST' })).toEqual({
      status: 409,
      body: { error: 'device d3 is already ENABLED', code: 'FAILED_PRECONDITION' }
    });
  });

  it('should delete, then answer 404 for the deleted device', async () => {
    expect(await get('/api/v1/devices/d3/delete', { method: 'DELETE' })).toEqual({ status: 200, body: {} });
    expect(await get('/api/v1/devices/d3')).toEqual({
      status: 404,
      body: { error: "device 'd3' not found", code: 'NOT_FOUND' }
    });
  });

  it('should map the other gRPC errors: 400, 409 ALREADY_EXISTS, 501, 504', async () => {
    const post = (body: unknown): Promise<{ status: number; body: unknown }> =>
      get('/api/v1/devices', { method: 'POST', body: JSON.stringify(body) });
    expect(await post({})).toEqual({
      status: 400,
      body: { error: 'device type is required', code: 'INVALID_ARGUMENT' }
    });
    expect(await post({ type: 'x', host_and_port: '10.0.0.1:50060' })).toEqual({
      status: 409,
      body: { error: 'device at 10.0.0.1:50060 exists: d1', code: 'ALREADY_EXISTS' }
    });
    const adapters = await get('/api/v1/adapters');
    expect(adapters.status).toBe(501);
    expect(adapters.body).toMatchObject({ code: 'UNIMPLEMENTED' });
    fake.healthDelayMs = 1500;
    try {
      const slow = await get('/api/v1/health');
      expect(slow.status).toBe(504);
      expect(slow.body).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
    } finally {
      fake.healthDelayMs = 0;
    }
    expect(await get('/api/v1/health')).toEqual({ status: 200, body: { state: 'HEALTHY' } });
  });

  it('should answer 400 for bad JSON and unknown fields, 404 and 405 for bad routes, without calling upstream', async () => {
    const bad = await get('/api/v1/devices', { method: 'POST', body: '{"type":' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const unknown = await get('/api/v1/devices', { method: 'POST', body: '{"type":"x","speed":1}' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { error: string }).error).toContain('key "speed" is unknown');
    expect((await get('/api/v1/no/such/thing')).status).toBe(404);
    const wrong = await fetch(`${base}/api/v1/devices/d1/enable`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('should stream change events as Server-Sent Events', async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/api/v1/events`, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = await new SseReader(res).events(2);
    expect(events[0]).toMatchObject({ type: 'add', path: '/devices/d1', seq: '1', data: '{"id":"d1"}' });
    expect(events[1]).toMatchObject({ type: 'update', seq: '18446744073709551615' });
    expect(fake.openStreams.size).toBe(1);
    abort.abort();
    await waitFor(() => fake.openStreams.size === 0);
  });

  it('should serve the OpenAPI document covering the routes, and the probes', async () => {
    const spec = (await get('/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.values(spec.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    expect(operations).toBe(gateway.table.routes.length);
    expect(Object.keys(spec.paths['/api/v1/devices']).sort()).toEqual(['get', 'post']);
    const probes = `http://127.0.0.1:${gateway.probePort}`;
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${probes}/metrics`)).text();
    expect(metrics).toContain(
      'rest_gateway_requests_total{method="GET",route="/api/v1/devices",status="200"}'
    );
    expect(metrics).toMatch(/rest_gateway_upstream_ready 1/);
  });

  it('should answer 503 at once while core-config is down and recover when it is back', async () => {
    const stream = new SseReader(await fetch(`${base}/api/v1/events`));
    expect(await stream.events(2)).toHaveLength(2);
    fake.stop();
    // an open event stream gets an error event and ends
    const rest = await stream.rest();
    expect(rest).toMatch(
      /event: error\ndata: \{"error":".*","code":"(UNAVAILABLE|INTERNAL|CANCELLED)"\}\n\n$/
    );
    const t0 = Date.now();
    const down = await get('/api/v1/devices');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(1000); // well under the 1 s request timeout: no queueing
    const again = await get('/api/v1/devices/d1');
    expect(again.status).toBe(503);
    const events = await fetch(`${base}/api/v1/events`);
    expect(events.status).toBe(503);
    expect(await events.json()).toMatchObject({ code: 'UNAVAILABLE' });

    await fake.start(grpcPort);
    const t1 = Date.now();
    let status = 0;
    while (Date.now() - t1 < 10_000) {
      status = (await get('/api/v1/devices')).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    expect(Date.now() - t1).toBeLessThan(3000); // reconnect backoff is capped at 300 ms here
    expect((await get('/api/v1/devices/d1')).status).toBe(200);
  });

  it('should end event streams and stop on close', async () => {
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(200);
    expect(await new SseReader(res).events(1)).toHaveLength(1);
    const t0 = Date.now();
    await gateway.close();
    expect(Date.now() - t0).toBeLessThan(1500);
    await expect(fetch(`${base}/api/v1/devices`)).rejects.toThrow();
  });
});

/** Reads a Server-Sent Events response: data events as parsed JSON, then whatever text remains. */
class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  public constructor(res: Response) {
    this.reader = res.body!.getReader();
  }

  /** The next `count` data events (fewer if the stream ends). */
  public async events(count: number): Promise<unknown[]> {
    const events: unknown[] = [];
    while (events.length < count) {
      const end = this.buffer.indexOf('\n\n');
      if (end < 0) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.buffer += this.decoder.decode(value, { stream: true });
        continue;
      }
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) events.push(JSON.parse(data));
    }
    return events;
  }

  /** Everything left until the stream ends. */
  public async rest(): Promise<string> {
    for (;;) {
      const { value, done } = await this.reader.read();
      if (done) return this.buffer;
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
