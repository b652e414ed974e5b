import { request } from 'node:https';

import { TEST_TLS } from '../tls/test-certificate';
import { ConsulTestServer } from './consul-test-server';

interface KvJson {
  Key: string;
  Value: string | null;
  Flags: number;
  CreateIndex: number;
  ModifyIndex: number;
  LockIndex: number;
  Session?: string;
}

describe('ConsulTestServer', () => {
  let server: ConsulTestServer;

  const call = async (
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = {}
  ): Promise<{ status: number; text: string; headers: Headers; bytes: Uint8Array }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      ...(body !== undefined ? { body } : {}),
      headers
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, text: Buffer.from(bytes).toString('utf8'), headers: res.headers, bytes };
  };
  const json = <T>(r: { text: string }): T => JSON.parse(r.text) as T;
  const kv = (key: string): string => `/v1/kv/${encodeURIComponent(key)}`;
  const createSession = async (spec: Record<string, unknown> = {}): Promise<string> => {
    const r = await call('PUT', '/v1/session/create', JSON.stringify(spec));
    expect(r.status).toBe(200);
    return json<{ ID: string }>(r).ID;
  };

  beforeEach(async () => {
    server = await ConsulTestServer.start({ minSessionTtlMs: 100, sessionTtlMultiplier: 1 });
  });

  afterEach(async () => {
    await server.close();
  });

  describe('KV', () => {
    it('should store bytes and return base64 Value with indexes', async () => {
      const value = Uint8Array.from([0, 1, 2, 253, 254, 255]);
      expect(json(await call('PUT', kv('a/b'), value))).toBe(true);
      const r = await call('GET', kv('a/b'));
      expect(r.status).toBe(200);
      const [entry] = json<KvJson[]>(r);
      expect(entry?.Key).toBe('a/b');
      expect(Buffer.from(entry?.Value ?? '', 'base64')).toEqual(Buffer.from(value));
      expect(entry?.CreateIndex).toBe(entry?.ModifyIndex);
      expect(entry?.LockIndex).toBe(0);
      expect(r.headers.get('x-consul-index')).toBe(String(entry?.ModifyIndex));
    });

    it('should return null for an empty value and 404 for a missing key', async () => {
      await call('PUT', kv('empty'), '');
      expect(json<KvJson[]>(await call('GET', kv('empty')))[0]?.Value).toBeNull();
      const missing = await call('GET', kv('nope'));
      expect(missing.status).toBe(404);
      expect(missing.text).toBe('');
    });

    it('should serve ?raw bodies as is', async () => {
      await call('PUT', kv('raw'), Uint8Array.from([255, 0, 128]));
      const r = await call('GET', `${kv('raw')}?raw`);
      expect(Array.from(r.bytes)).toEqual([255, 0, 128]);
    });

    it('should list with ?recurse and ?keys (with separator), 404 when nothing matches', async () => {
      for (const key of ['p/a', 'p/b/c', 'p/b/d', 'q/x']) await call('PUT', kv(key), key);
      const rec = json<KvJson[]>(await call('GET', `${kv('p/')}?recurse`));
      expect(rec.map((e) => e.Key)).toEqual(['p/a', 'p/b/c', 'p/b/d']);
      expect(json(await call('GET', `${kv('p/')}?keys`))).toEqual(['p/a', 'p/b/c', 'p/b/d']);
      expect(json(await call('GET', `${kv('p/')}?keys&separator=/`))).toEqual(['p/a', 'p/b/']);
      expect((await call('GET', `${kv('zz/')}?keys`)).status).toBe(404);
      expect((await call('GET', `${kv('zz/')}?recurse`)).status).toBe(404);
      expect(json(await call('GET', '/v1/kv/?keys'))).toEqual(['p/a', 'p/b/c', 'p/b/d', 'q/x']);
    });

    it('should apply cas on PUT and DELETE', async () => {
      expect(json(await call('PUT', `${kv('c')}?cas=0`, 'one'))).toBe(true);
      expect(json(await call('PUT', `${kv('c')}?cas=0`, 'two'))).toBe(false);
      const index = json<KvJson[]>(await call('GET', kv('c')))[0]?.ModifyIndex ?? 0;
      expect(json(await call('PUT', `${kv('c')}?cas=${index + 100}`, 'three'))).toBe(false);
      expect(json(await call('PUT', `${kv('c')}?cas=${index}`, 'four'))).toBe(true);
      expect(json(await call('DELETE', `${kv('c')}?cas=${index}`))).toBe(false);
      const now = json<KvJson[]>(await call('GET', kv('c')))[0]?.ModifyIndex ?? 0;
      expect(json(await call('DELETE', `${kv('c')}?cas=${now}`))).toBe(true);
      expect((await call('GET', kv('c'))).status).toBe(404);
      expect((await call('PUT', `${kv('c')}?cas=0&acquire=x`, 'v')).status).toBe(400);
    });

    it('should store flags and delete trees with ?recurse', async () => {
      await call('PUT', `${kv('t/1')}?flags=42`, 'x');
      await call('PUT', kv('t/2'), 'y');
      expect(json<KvJson[]>(await call('GET', kv('t/1')))[0]?.Flags).toBe(42);
      expect(json(await call('DELETE', `${kv('t/')}?recurse`))).toBe(true);
      expect((await call('GET', `${kv('t/')}?recurse`)).status).toBe(404);
    });

    it('should reject values over the limit with 413', async () => {
      const r = await call('PUT', kv('big'), new Uint8Array(512 * 1024 + 1));
      expect(r.status).toBe(413);
      expect(r.text).toBe('Value exceeds 524288 byte limit');
      expect(json(await call('PUT', kv('big'), new Uint8Array(512 * 1024)))).toBe(true);
    });

    it('should block on ?index until the key changes, and time out after ?wait', async () => {
      await call('PUT', kv('w'), '1');
      const index = Number((await call('GET', kv('w'))).headers.get('x-consul-index'));
      const started = Date.now();
      const timedOut = await call('GET', `${kv('w')}?index=${index}&wait=200ms`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      expect(timedOut.headers.get('x-consul-index')).toBe(String(index));

      const blocked = call('GET', `${kv('w')}?index=${index}&wait=10s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await call('PUT', kv('other'), 'unrelated');
      await call('PUT', kv('w'), '2');
      const woke = await blocked;
      expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
      expect(Buffer.from(json<KvJson[]>(woke)[0]?.Value ?? '', 'base64').toString()).toBe('2');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('should wake a blocked recurse query when a key under the prefix is deleted', async () => {
      await call('PUT', kv('d/1'), '1');
      const index = Number((await call('GET', `${kv('d/')}?recurse`)).headers.get('x-consul-index'));
      const blocked = call('GET', `${kv('d/')}?recurse&index=${index}&wait=10s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await call('DELETE', kv('d/1'));
      const woke = await blocked;
      expect(woke.status).toBe(404);
      expect(Number(woke.headers.get('x-consul-index'))).toBeGreaterThan(index);
    });
  });

  describe('sessions and locks', () => {
    it('should acquire and release locks, counting LockIndex', async () => {
      const s1 = await createSession({ TTL: '10s' });
      const s2 = await createSession();
      expect(json(await call('PUT', `${kv('l')}?acquire=${s1}`, 'owner1'))).toBe(true);
      expect(json(await call('PUT', `${kv('l')}?acquire=${s2}`, 'owner2'))).toBe(false);
      const held = json<KvJson[]>(await call('GET', kv('l')))[0];
      expect(held?.Session).toBe(s1);
      expect(held?.LockIndex).toBe(1);
      expect(json(await call('PUT', `${kv('l')}?release=${s2}`, 'x'))).toBe(false);
      expect(json(await call('PUT', `${kv('l')}?release=${s1}`, 'free'))).toBe(true);
      expect(json<KvJson[]>(await call('GET', kv('l')))[0]?.Session).toBeUndefined();
      expect(json(await call('PUT', `${kv('l')}?acquire=${s2}`, 'owner2'))).toBe(true);
      expect(json<KvJson[]>(await call('GET', kv('l')))[0]?.LockIndex).toBe(2);
      const bad = await call('PUT', `${kv('l2')}?acquire=not-a-session`, 'x');
      expect(bad.status).toBe(500);
    });

    it('should report, renew and destroy sessions', async () => {
      const id = await createSession({ Name: 'n', TTL: '15s', Behavior: 'release', LockDelay: '1s' });
      const [info] = json<Record<string, unknown>[]>(await call('GET', `/v1/session/info/${id}`));
      expect(info).toMatchObject({ ID: id, Name: 'n', TTL: '15s', Behavior: 'release', LockDelay: 1e9 });
      expect((await call('PUT', `/v1/session/renew/${id}`)).status).toBe(200);
      expect(json<unknown[]>(await call('GET', '/v1/session/list'))).toHaveLength(1);
      expect(json(await call('PUT', `/v1/session/destroy/${id}`))).toBe(true);
      expect(json(await call('GET', `/v1/session/info/${id}`))).toEqual([]);
      const renew = await call('PUT', `/v1/session/renew/${id}`);
      expect(renew.status).toBe(404);
      expect(renew.text).toContain('not found');
    });

    it('should reject TTLs outside the configured range', async () => {
      const r = await call('PUT', '/v1/session/create', JSON.stringify({ TTL: '50ms' }));
      expect(r.status).toBe(400);
      expect(r.text).toContain('Invalid Session TTL');
      expect((await call('PUT', '/v1/session/create', JSON.stringify({ Behavior: 'explode' }))).status).toBe(
        400
      );
    });

    it('should release locks when a TTL session is not renewed, waking blocked readers', async () => {
      const id = await createSession({ TTL: '300ms' });
      expect(json(await call('PUT', `${kv('ttl')}?acquire=${id}`, 'x'))).toBe(true);
      const index = Number((await call('GET', kv('ttl'))).headers.get('x-consul-index'));
      const started = Date.now();
      const woke = await call('GET', `${kv('ttl')}?index=${index}&wait=5s`);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2000);
      expect(json<KvJson[]>(woke)[0]?.Session).toBeUndefined();
      expect(server.sessionIds()).not.toContain(id);
    });

    it('should delete locked keys of a Behavior=delete session and enforce lock-delay', async () => {
      const del = await createSession({ Behavior: 'delete' });
      await call('PUT', `${kv('bd')}?acquire=${del}`, 'x');
      server.invalidateSession(del);
      expect((await call('GET', kv('bd'))).status).toBe(404);

      const delayed = await createSession({ LockDelay: '400ms' });
      const other = await createSession();
      await call('PUT', `${kv('ld')}?acquire=${delayed}`, 'x');
      await call('PUT', `/v1/session/destroy/${delayed}`);
      expect(json(await call('PUT', `${kv('ld')}?acquire=${other}`, 'y'))).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(json(await call('PUT', `${kv('ld')}?acquire=${other}`, 'y'))).toBe(true);
    });
  });

  describe('transactions', () => {
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const txn = (ops: unknown[], headers: Record<string, string> = {}) =>
      call('PUT', '/v1/txn', JSON.stringify(ops), headers);

    it('should apply all operations atomically and return results', async () => {
      const r = await txn([
        { KV: { Verb: 'set', Key: 'x/1', Value: b64('one') } },
        { KV: { Verb: 'set', Key: 'x/2', Value: b64('two') } },
        { KV: { Verb: 'check-not-exists', Key: 'x/3' } },
        { KV: { Verb: 'get', Key: 'x/1' } }
      ]);
      expect(r.status).toBe(200);
      const body = json<{ Results: { KV: KvJson }[]; Errors: unknown }>(r);
      expect(body.Errors).toBeNull();
      expect(body.Results).toHaveLength(3);
      expect(body.Results[0]?.KV.Value).toBeNull();
      expect(body.Results[0]?.KV.ModifyIndex).toBe(body.Results[1]?.KV.ModifyIndex);
      expect(Buffer.from(body.Results[2]?.KV.Value ?? '', 'base64').toString()).toBe('one');
    });

    it('should roll back everything and answer 409 with Errors when a check fails', async () => {
      await call('PUT', kv('y/1'), 'orig');
      const index = json<KvJson[]>(await call('GET', kv('y/1')))[0]?.ModifyIndex ?? 0;
      const r = await txn([
        { KV: { Verb: 'set', Key: 'y/2', Value: b64('new') } },
        { KV: { Verb: 'delete', Key: 'y/1' } },
        { KV: { Verb: 'check-index', Key: 'y/1', Index: index + 1 } },
        { KV: { Verb: 'check-not-exists', Key: 'y/1' } }
      ]);
      expect(r.status).toBe(409);
      const body = json<{ Results: unknown; Errors: { OpIndex: number; What: string }[] }>(r);
      expect(body.Results).toBeNull();
      // Operations see earlier ones: after the staged delete, check-index fails, check-not-exists passes.
      expect(body.Errors.map((e) => e.OpIndex)).toEqual([2]);
      expect(body.Errors[0]?.What).toContain("doesn't exist");
      expect((await call('GET', kv('y/2'))).status).toBe(404);
      expect((await call('GET', kv('y/1'))).status).toBe(200);
    });

    it('should support cas, lock, check-session and unlock verbs', async () => {
      const s = await createSession();
      const r = await txn([
        { KV: { Verb: 'cas', Key: 'z/c', Value: b64('v'), Index: 0 } },
        { KV: { Verb: 'lock', Key: 'z/l', Value: b64('me'), Session: s } }
      ]);
      expect(r.status).toBe(200);
      expect((await txn([{ KV: { Verb: 'check-session', Key: 'z/l', Session: s } }])).status).toBe(200);
      expect((await txn([{ KV: { Verb: 'check-session', Key: 'z/l', Session: 'other' } }])).status).toBe(409);
      expect((await txn([{ KV: { Verb: 'cas', Key: 'z/c', Value: b64('w'), Index: 0 } }])).status).toBe(409);
      expect((await txn([{ KV: { Verb: 'unlock', Key: 'z/l', Value: b64(''), Session: s } }])).status).toBe(
        200
      );
      expect(json<KvJson[]>(await call('GET', kv('z/l')))[0]?.Session).toBeUndefined();
    });

    it('should enforce the operation count, body size and value size limits with 413', async () => {
      const many = Array.from({ length: 65 }, (_, i) => ({
        KV: { Verb: 'set', Key: `m/${i}`, Value: b64('x') }
      }));
      const tooMany = await txn(many);
      expect(tooMany.status).toBe(413);
      expect(tooMany.text).toBe('Transaction contains too many operations (65 > 64)');
      expect((await txn(many.slice(0, 64))).status).toBe(200);

      const big = Buffer.alloc(400 * 1024).toString('base64');
      const tooBig = await txn([{ KV: { Verb: 'set', Key: 'big', Value: big } }]);
      expect(tooBig.status).toBe(413);
      expect(tooBig.text).toContain('Request body too large');

      const small = await ConsulTestServer.start({ maxValueBytes: 10 });
      try {
        const res = await fetch(`${small.url}/v1/txn`, {
          method: 'PUT',
          body: JSON.stringify([{ KV: { Verb: 'set', Key: 'k', Value: b64('01234567890') } }])
        });
        expect(res.status).toBe(413);
        expect(await res.text()).toContain('is too large');
      } finally {
        await small.close();
      }
    });

    it('should answer 400 for malformed bodies', async () => {
      expect((await call('PUT', '/v1/txn', 'not json')).status).toBe(400);
      expect((await txn([{ Node: { Verb: 'set' } }])).status).toBe(400);
      expect((await txn([{ KV: { Verb: 'set', Key: 'k', Value: '!!!' } }])).status).toBe(400);
    });
  });

  describe('TLS', () => {
    it('should serve the API over https with the given certificate', async () => {
      const secure = await ConsulTestServer.start({ tls: TEST_TLS });
      try {
        expect(secure.url).toBe(`https://${secure.address}`);
        const status = await new Promise<number | undefined>((resolve, reject) => {
          const req = request(`${secure.url}/v1/kv/k`, { method: 'PUT', ca: TEST_TLS.cert }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          });
          req.on('error', reject);
          req.end('v');
        });
        expect(status).toBe(200);
        expect(secure.state.get('k')?.value.toString()).toBe('v');
      } finally {
        await secure.close();
      }
    });
  });

  describe('ACLs and injected failures', () => {
    it('should enforce tokens from the header or the query string', async () => {
      const acl = await ConsulTestServer.start({ aclTokens: { writer: 'write', reader: 'read' } });
      try {
        const at = (path: string, init: RequestInit = {}) => fetch(`${acl.url}${path}`, init);
        expect((await at('/v1/kv/k', { method: 'PUT', body: 'v' })).status).toBe(403);
        const unknown = await at('/v1/kv/k', {
          method: 'PUT',
          body: 'v',
          headers: { 'X-Consul-Token': 'who' }
        });
        expect(unknown.status).toBe(403);
        expect(await unknown.text()).toBe('ACL not found');
        const denied = await at('/v1/kv/k?token=reader', { method: 'PUT', body: 'v' });
        expect(await denied.text()).toBe('Permission denied');
        expect(
          (await at('/v1/kv/k', { method: 'PUT', body: 'v', headers: { 'X-Consul-Token': 'writer' } })).status
        ).toBe(200);
        expect((await at('/v1/kv/k?token=reader')).status).toBe(200);
        const txn = await at('/v1/txn', {
          method: 'PUT',
          headers: { 'X-Consul-Token': 'reader' },
          body: JSON.stringify([{ KV: { Verb: 'set', Key: 'k', Value: '' } }])
        });
        expect(txn.status).toBe(409);
        expect(((await txn.json()) as { Errors: { What: string }[] }).Errors[0]?.What).toBe(
          'Permission denied'
        );
      } finally {
        await acl.close();
      }
    });

    it('should serve injected failures for matching paths, then recover', async () => {
      server.failNextRequests(2, { status: 503, pathPrefix: '/v1/kv/' });
      expect((await call('GET', kv('a'))).status).toBe(503);
      expect((await call('GET', '/v1/status/leader')).status).toBe(200);
      expect((await call('GET', kv('a'))).status).toBe(503);
      expect((await call('GET', kv('a'))).status).toBe(404);
      expect(server.requests((r) => r.path.startsWith('/v1/kv/')).length).toBe(3);
    });
  });
});
