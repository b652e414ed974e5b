import { Counter, Registry } from 'prom-client';

import { startHealthServer } from './health-server';
import { ProbeRegistry } from './probes';

describe('startHealthServer', () => {
  it('should answer liveness, readiness and metrics from the probes', async () => {
    const probes = new ProbeRegistry();
    const metrics = new Registry();
    new Counter({ name: 'test_events_total', help: 'events', registers: [metrics] }).inc(3);
    probes.register('kv');
    const server = await startHealthServer({ host: '127.0.0.1', port: 0, probes, metrics });
    const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
    try {
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(503);
      probes.set('kv', 'running');
      const ready = await get('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', probes: { kv: { status: 'running' } } });
      probes.set('kv', 'failed', 'connection lost');
      expect((await get('/healthz')).status).toBe(503);
      expect(await (await get('/metrics')).text()).toContain('test_events_total 3');
      expect((await get('/nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
