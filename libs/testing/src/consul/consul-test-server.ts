import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

import { formatDuration, parseGoDuration } from './consul-duration';
import {
  ConsulState,
  ConsulStateError,
  type ConsulKvEntry,
  type ConsulSession,
  type ConsulTxnKvOp
} from './consul-state';

export type ConsulAclPolicy = 'read' | 'write';

export interface ConsulTestServerOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Listen port (default 0 = a free port). */
  readonly port?: number;
  /**
   * ACL tokens and what they may do. When set, ACLs are enforced with a default-deny policy:
   * an unknown token gets 403 "ACL not found", a missing or insufficient one 403 "Permission denied"
   * (inside `/v1/txn`, per operation: 409 with `Errors[].What = "Permission denied"`).
   */
  readonly aclTokens?: Readonly<Record<string, ConsulAclPolicy>>;
  /** Largest KV value in bytes (Consul's kv_max_value_size, default 524288). */
  readonly maxValueBytes?: number;
  /** Largest `/v1/txn` body in bytes (Consul's txn_max_req_len, default 524288). */
  readonly maxTxnBytes?: number;
  /** Most operations in one transaction (default 64). */
  readonly maxTxnOps?: number;
  /** Smallest session TTL accepted (Consul: 10s; lower it for fast tests). */
  readonly minSessionTtlMs?: number;
  /** Largest session TTL accepted (default 86400s). */
  readonly maxSessionTtlMs?: number;
  /**
   * A TTL session is invalidated this many TTLs after its last renewal. Consul documents "up to
   * double the TTL"; the default is 2, tests that want fast failover can use 1.
   */
  readonly sessionTtlMultiplier?: number;
  /** Lock-delay for sessions created without `LockDelay` (Consul: 15s; default here 0). */
  readonly defaultLockDelayMs?: number;
  /** Blocking-query wait when `wait` is not given (default 5 minutes, as Consul). */
  readonly defaultWaitMs?: number;
  /** Node name reported for sessions (default "consul-test-node"). */
  readonly nodeName?: string;
  /** Serve HTTPS with this certificate and key (PEM), e.g. `TEST_TLS`. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
}

/** One request seen by the server (method, percent-decoded path without query, parsed query). */
export interface ConsulRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly at: number;
}

interface InjectedFailure {
  remaining: number;
  readonly status: number;
  readonly body: string;
  readonly pathPrefix: string;
}

const MAX_WAIT_MS = 10 * 60 * 1000;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const REQUEST_LOG_LIMIT = 10_000;

/**
 * A Consul HTTP API test server: the subset of `/v1/kv`, `/v1/txn` and `/v1/session` that KV
 * clients use, following HashiCorp's documented behaviour (indexes, blocking queries, sessions with
 * TTL and lock-delay, transactions, size limits, ACL tokens). In-memory, single node, loopback only.
 */
export class ConsulTestServer {
  readonly state: ConsulState;
  private readonly sockets = new Set<Socket>();
  private readonly failures: InjectedFailure[] = [];
  private readonly log: ConsulRequestRecord[] = [];
  private readonly closing = new AbortController();
  private readonly maxValueBytes: number;
  private readonly maxTxnBytes: number;
  private readonly maxTxnOps: number;
  private readonly minSessionTtlMs: number;
  private readonly maxSessionTtlMs: number;
  private readonly defaultLockDelayMs: number;
  private readonly defaultWaitMs: number;
  private readonly nodeName: string;

  private constructor(
    private readonly server: Server | HttpsServer,
    private readonly options: ConsulTestServerOptions,
    readonly host: string,
    readonly port: number
  ) {
    this.state = new ConsulState({ sessionTtlMultiplier: options.sessionTtlMultiplier ?? 2 });
    this.maxValueBytes = options.maxValueBytes ?? 512 * 1024;
    this.maxTxnBytes = options.maxTxnBytes ?? 512 * 1024;
    this.maxTxnOps = options.maxTxnOps ?? 64;
    this.minSessionTtlMs = options.minSessionTtlMs ?? 10_000;
    this.maxSessionTtlMs = options.maxSessionTtlMs ?? 86_400_000;
    this.defaultLockDelayMs = options.defaultLockDelayMs ?? 0;
    this.defaultWaitMs = options.defaultWaitMs ?? 5 * 60 * 1000;
    this.nodeName = options.nodeName ?? 'consul-test-node';
  }

  static async start(options: ConsulTestServerOptions = {}): Promise<ConsulTestServer> {
    const host = options.host ?? '127.0.0.1';
    const server =
      options.tls === undefined
        ? createServer()
        : createHttpsServer({ cert: options.tls.cert, key: options.tls.key });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port: options.port ?? 0 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') {
      server.close();
      throw new Error('consul test server: could not determine its port');
    }
    const instance = new ConsulTestServer(server, options, host, address.port);
    server.on('connection', (socket: Socket) => {
      instance.sockets.add(socket);
      socket.once('close', () => instance.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      instance.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          text(res, 500, error instanceof Error ? error.message : String(error));
        } else {
          res.destroy();
        }
      });
    });
    return instance;
  }

  /** `host:port` for clients. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Base URL, e.g. `http://127.0.0.1:8500` (`https://` with `tls`). */
  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://${this.address}`;
  }

  // ------------------------------------------------------------ test controls

  /** IDs of live sessions. */
  sessionIds(): string[] {
    return this.state.sessions().map((s) => s.id);
  }

  /** Invalidate a session as TTL expiry or `/v1/session/destroy` would (locks released). */
  invalidateSession(id: string): boolean {
    return this.state.invalidateSession(id);
  }

  /**
   * Answer the next `count` requests whose path starts with `pathPrefix` (default all) with
   * `status` and `body` instead of serving them, e.g. 500 "No cluster leader".
   */
  failNextRequests(
    count: number,
    options: { status?: number; body?: string; pathPrefix?: string } = {}
  ): void {
    this.failures.push({
      remaining: count,
      status: options.status ?? 500,
      body: options.body ?? 'No cluster leader',
      pathPrefix: options.pathPrefix ?? '/'
    });
  }

  /** Requests received so far (most recent last, bounded), optionally filtered. */
  requests(filter?: (r: ConsulRequestRecord) => boolean): ConsulRequestRecord[] {
    return filter === undefined ? [...this.log] : this.log.filter(filter);
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.state.dispose();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await closed;
  }

  // ------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://consul');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    this.log.push({ method, path: safeDecode(path), query: url.searchParams, at: Date.now() });
    if (this.log.length > REQUEST_LOG_LIMIT) {
      this.log.splice(0, this.log.length - REQUEST_LOG_LIMIT);
    }
    const body = await readBody(req);
    res.setHeader('X-Consul-Default-Acl-Policy', this.options.aclTokens === undefined ? 'allow' : 'deny');

    const failure = this.failures.find((f) => f.remaining > 0 && path.startsWith(f.pathPrefix));
    if (failure !== undefined) {
      failure.remaining -= 1;
      text(res, failure.status, failure.body);
      return;
    }

    const token =
      req.headers['x-consul-token'] ?? bearer(req.headers.authorization) ?? url.searchParams.get('token');
    const tokenValue = Array.isArray(token) ? token[0] : (token ?? undefined);

    try {
      if (path.startsWith('/v1/kv/') || path === '/v1/kv') {
        const key = decodeURIComponent(path.slice('/v1/kv/'.length));
        await this.handleKv(method, key, url.searchParams, body, tokenValue, res);
      } else if (path === '/v1/txn') {
        this.requireMethod(method, ['PUT']);
        this.handleTxn(body, tokenValue, res);
      } else if (path.startsWith('/v1/session/')) {
        await this.handleSession(
          method,
          path.slice('/v1/session/'.length),
          url.searchParams,
          body,
          tokenValue,
          res
        );
      } else if (path === '/v1/status/leader') {
        json(res, 200, '127.0.0.1:8300');
      } else {
        text(res, 404, 'Not Found');
      }
    } catch (error) {
      if (error instanceof ConsulStateError) {
        text(res, error.status, error.message);
        return;
      }
      throw error;
    }
  }

  private requireMethod(method: string, allowed: readonly string[]): void {
    if (!allowed.includes(method)) {
      throw new ConsulStateError(405, `method ${method} not allowed`);
    }
  }

  /** Resolve the token's policy; throws 403 for unknown tokens. `undefined` = ACLs disabled. */
  private policyOf(token: string | undefined): ConsulAclPolicy | 'none' | undefined {
    const tokens = this.options.aclTokens;
    if (tokens === undefined) {
      return undefined;
    }
    if (token === undefined || token === '') {
      return 'none';
    }
    const policy = tokens[token];
    if (policy === undefined) {
      throw new ConsulStateError(403, 'ACL not found');
    }
    return policy;
  }

  private authorize(token: string | undefined, need: ConsulAclPolicy): void {
    const policy = this.policyOf(token);
    if (policy === undefined || policy === 'write' || (policy === 'read' && need === 'read')) {
      return;
    }
    throw new ConsulStateError(403, 'Permission denied');
  }

  private async handleKv(
    method: string,
    key: string,
    query: URLSearchParams,
    body: Buffer,
    token: string | undefined,
    res: ServerResponse
  ): Promise<void> {
    switch (method) {
      case 'GET': {
        this.authorize(token, 'read');
        if (query.has('keys')) {
          const separator = query.get('separator') ?? query.get('seperator') ?? '';
          await this.block(query, res, () => this.state.prefixIndex(key));
          const keys = listKeys(this.state.list(key), key, separator);
          this.setIndex(res, this.state.prefixIndex(key));
          if (keys.length === 0 && key !== '') {
            res.statusCode = 404;
            res.end();
            return;
          }
          json(res, 200, keys);
          return;
        }
        if (query.has('recurse')) {
          await this.block(query, res, () => this.state.prefixIndex(key));
          const entries = this.state.list(key);
          this.setIndex(res, this.state.prefixIndex(key));
          if (entries.length === 0) {
            res.statusCode = 404;
            res.end();
            return;
          }
          json(
            res,
            200,
            entries.map((e) => entryJson(e, true))
          );
          return;
        }
        if (key === '') {
          throw new ConsulStateError(400, 'Missing key name');
        }
        await this.block(query, res, () => this.state.keyIndex(key));
        const entry = this.state.get(key);
        this.setIndex(res, this.state.keyIndex(key));
        if (entry === undefined) {
          res.statusCode = 404;
          res.end();
          return;
        }
        if (query.has('raw')) {
          res.writeHead(200, {
            'Content-Type': 'text/plain',
            'Content-Length': entry.value.length,
            'X-Content-Type-Options': 'nosniff',
            'Content-Security-Policy': 'sandbox'
          });
          res.end(entry.value);
          return;
        }
        json(res, 200, [entryJson(entry, true)]);
        return;
      }
      case 'PUT': {
        this.authorize(token, 'write');
        if (key === '') {
          throw new ConsulStateError(400, 'Missing key name');
        }
        const exclusive = ['cas', 'acquire', 'release'].filter((f) => query.has(f));
        if (exclusive.length > 1) {
          throw new ConsulStateError(400, `Conflicting flags: ${query.toString()}`);
        }
        if (body.length > this.maxValueBytes) {
          throw new ConsulStateError(413, `Value exceeds ${this.maxValueBytes} byte limit`);
        }
        const ok = this.state.put(key, body, {
          ...(query.has('flags') ? { flags: parseUint(query.get('flags'), 'flags') } : {}),
          ...(query.has('cas') ? { cas: parseUint(query.get('cas'), 'cas') } : {}),
          ...(query.has('acquire') ? { acquire: query.get('acquire') ?? '' } : {}),
          ...(query.has('release') ? { release: query.get('release') ?? '' } : {})
        });
        json(res, 200, ok);
        return;
      }
      case 'DELETE': {
        this.authorize(token, 'write');
        const recurse = query.has('recurse');
        if (recurse && query.has('cas')) {
          throw new ConsulStateError(400, `Conflicting flags: ${query.toString()}`);
        }
        if (!recurse && key === '') {
          throw new ConsulStateError(400, 'Missing key name');
        }
        const ok = this.state.delete(key, {
          recurse,
          ...(query.has('cas') ? { cas: parseUint(query.get('cas'), 'cas') } : {})
        });
        json(res, 200, ok);
        return;
      }
      default:
        throw new ConsulStateError(405, `method ${method} not allowed`);
    }
  }

  private handleTxn(body: Buffer, token: string | undefined, res: ServerResponse): void {
    if (body.length > this.maxTxnBytes) {
      throw new ConsulStateError(413, `Request body too large, max size: ${this.maxTxnBytes} bytes`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new ConsulStateError(400, `Failed to parse body: ${(error as Error).message}`);
    }
    if (!Array.isArray(raw)) {
      throw new ConsulStateError(400, 'Failed to parse body: expected a JSON array of operations');
    }
    if (raw.length > this.maxTxnOps) {
      throw new ConsulStateError(
        413,
        `Transaction contains too many operations (${raw.length} > ${this.maxTxnOps})`
      );
    }
    const ops: ConsulTxnKvOp[] = raw.map((item: unknown) => decodeTxnOp(item));
    for (const op of ops) {
      if (op.value.length > this.maxValueBytes) {
        throw new ConsulStateError(
          413,
          `Value for key "${op.key}" is too large (${op.value.length} > ${this.maxValueBytes} bytes)`
        );
      }
    }
    const policy = this.policyOf(token);
    if (policy !== undefined) {
      const denied = ops
        .map((op, index) => ({ op, index }))
        .filter(({ op }) => policy === 'none' || (policy === 'read' && this.state.isWrite(op.verb)));
      if (denied.length > 0) {
        json(res, 409, {
          Results: null,
          Errors: denied.map(({ index }) => ({ OpIndex: index, What: 'Permission denied' }))
        });
        return;
      }
    }
    const outcome = this.state.transact(ops);
    if (!ops.some((op) => this.state.isWrite(op.verb))) {
      res.setHeader('X-Consul-KnownLeader', 'true');
      res.setHeader('X-Consul-LastContact', '0');
    }
    if (!outcome.ok) {
      json(res, 409, { Results: null, Errors: outcome.errors });
      return;
    }
    json(res, 200, {
      Results: outcome.results.map((r) => ({ KV: entryJson(r.entry, r.withValue) })),
      Errors: null
    });
  }

  private async handleSession(
    method: string,
    rest: string,
    query: URLSearchParams,
    body: Buffer,
    token: string | undefined,
    res: ServerResponse
  ): Promise<void> {
    const [action = '', ...idParts] = rest.split('/');
    const id = decodeURIComponent(idParts.join('/'));
    switch (action) {
      case 'create': {
        this.requireMethod(method, ['PUT']);
        this.authorize(token, 'write');
        const session = this.createSession(body);
        json(res, 200, { ID: session.id });
        return;
      }
      case 'renew': {
        this.requireMethod(method, ['PUT']);
        this.authorize(token, 'write');
        const session = this.state.renewSession(id);
        if (session === undefined) {
          throw new ConsulStateError(404, `Session id '${id}' not found`);
        }
        json(res, 200, [sessionJson(session)]);
        return;
      }
      case 'destroy': {
        this.requireMethod(method, ['PUT']);
        this.authorize(token, 'write');
        this.state.invalidateSession(id);
        json(res, 200, true);
        return;
      }
      case 'info': {
        this.requireMethod(method, ['GET']);
        this.authorize(token, 'read');
        await this.block(query, res, () => this.state.index);
        const session = this.state.session(id);
        this.setIndex(res, this.state.index);
        json(res, 200, session === undefined ? [] : [sessionJson(session)]);
        return;
      }
      case 'list': {
        this.requireMethod(method, ['GET']);
        this.authorize(token, 'read');
        await this.block(query, res, () => this.state.index);
        this.setIndex(res, this.state.index);
        json(res, 200, this.state.sessions().map(sessionJson));
        return;
      }
      default:
        text(res, 404, 'Not Found');
    }
  }

  private createSession(body: Buffer): ConsulSession {
    let spec: Record<string, unknown> = {};
    if (body.length > 0) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          spec = parsed as Record<string, unknown>;
        }
      } catch (error) {
        throw new ConsulStateError(400, `Request decode failed: ${(error as Error).message}`);
      }
    }
    const behavior = field(spec, 'Behavior') ?? 'release';
    if (behavior !== 'release' && behavior !== 'delete') {
      throw new ConsulStateError(400, `Invalid Behavior setting '${String(behavior)}'`);
    }
    const lockDelayRaw = field(spec, 'LockDelay');
    let lockDelayMs = this.defaultLockDelayMs;
    if (typeof lockDelayRaw === 'string') {
      const parsed = parseGoDuration(lockDelayRaw);
      if (parsed === undefined) {
        throw new ConsulStateError(400, `Request decode failed: invalid LockDelay "${lockDelayRaw}"`);
      }
      lockDelayMs = parsed;
    } else if (typeof lockDelayRaw === 'number') {
      // Consul reads small numbers as seconds and larger ones as nanoseconds.
      lockDelayMs = lockDelayRaw < 1000 ? lockDelayRaw * 1000 : lockDelayRaw / 1e6;
    }
    const ttlRaw = field(spec, 'TTL');
    let ttl = '';
    let ttlMs: number | undefined;
    if (typeof ttlRaw === 'string' && ttlRaw !== '') {
      const parsed = parseGoDuration(ttlRaw);
      if (parsed === undefined || parsed < this.minSessionTtlMs || parsed > this.maxSessionTtlMs) {
        throw new ConsulStateError(
          400,
          `Invalid Session TTL '${ttlRaw}', must be between [${formatDuration(this.minSessionTtlMs)}=${formatDuration(this.maxSessionTtlMs)}]`
        );
      }
      ttl = ttlRaw;
      ttlMs = parsed;
    }
    const name = field(spec, 'Name');
    const node = field(spec, 'Node');
    return this.state.createSession({
      name: typeof name === 'string' ? name : '',
      node: typeof node === 'string' && node !== '' ? node : this.nodeName,
      lockDelayMs,
      behavior,
      ttl,
      ttlMs
    });
  }

  /** Blocking query: with `?index=N`, wait until the index passes N or `wait` elapses. */
  private async block(
    query: URLSearchParams,
    res: ServerResponse,
    currentIndex: () => number
  ): Promise<void> {
    if (!query.has('index')) {
      return;
    }
    const minIndex = parseUint(query.get('index'), 'index');
    if (minIndex === 0) {
      return;
    }
    let waitMs = this.defaultWaitMs;
    const waitText = query.get('wait');
    if (waitText !== null && waitText !== '') {
      const parsed = parseGoDuration(waitText);
      if (parsed === undefined) {
        throw new ConsulStateError(400, `Invalid wait time: "${waitText}"`);
      }
      waitMs = parsed;
    }
    waitMs = Math.min(waitMs, MAX_WAIT_MS);
    // Consul adds up to wait/16 of jitter so that many waiters do not wake at once.
    waitMs += Math.random() * (waitMs / 16);
    const gone = new AbortController();
    const onClose = (): void => gone.abort();
    res.once('close', onClose);
    const onShutdown = (): void => gone.abort();
    this.closing.signal.addEventListener('abort', onShutdown, { once: true });
    try {
      await this.state.waitFor(currentIndex, minIndex, waitMs, gone.signal);
    } finally {
      res.off('close', onClose);
      this.closing.signal.removeEventListener('abort', onShutdown);
    }
  }

  private setIndex(res: ServerResponse, index: number): void {
    res.setHeader('X-Consul-Index', String(Math.max(index, 1)));
    res.setHeader('X-Consul-KnownLeader', 'true');
    res.setHeader('X-Consul-LastContact', '0');
  }
}

// ------------------------------------------------------------------ helpers

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    length += buffer.length;
    if (length > MAX_BODY_BYTES) {
      throw new ConsulStateError(413, 'Request body too large');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, length);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
  res.end(payload);
}

function text(res: ServerResponse, status: number, message: string): void {
  const payload = Buffer.from(message);
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': payload.length });
  res.end(payload);
}

function parseUint(value: string | null, name: string): number {
  if (value === null || !/^\d+$/.test(value)) {
    throw new ConsulStateError(400, `Invalid ${name} value: "${value ?? ''}"`);
  }
  return Number(value);
}

/** Case-insensitive field lookup, as Go's JSON decoding does. */
function field(object: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) {
    if (key.toLowerCase() === lower) {
      return value;
    }
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeTxnOp(item: unknown): ConsulTxnKvOp {
  if (item === null || typeof item !== 'object') {
    throw new ConsulStateError(400, 'Failed to parse body: operation must be an object');
  }
  const kv = field(item as Record<string, unknown>, 'KV');
  if (kv === null || typeof kv !== 'object') {
    throw new ConsulStateError(
      400,
      'Failed to parse body: only KV operations are supported by this test server'
    );
  }
  const op = kv as Record<string, unknown>;
  const verb = field(op, 'Verb');
  const key = field(op, 'Key');
  const value = field(op, 'Value');
  const flags = field(op, 'Flags');
  const index = field(op, 'Index');
  const session = field(op, 'Session');
  if (typeof verb !== 'string' || typeof key !== 'string') {
    throw new ConsulStateError(400, 'Failed to parse body: KV operations need a Verb and a Key');
  }
  let decoded = Buffer.alloc(0);
  if (value !== undefined && value !== null) {
    if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
      throw new ConsulStateError(400, 'Failed to parse body: failed to decode value: illegal base64 data');
    }
    decoded = Buffer.from(value, 'base64');
  }
  return {
    verb,
    key,
    value: decoded,
    flags: typeof flags === 'number' ? flags : 0,
    index: typeof index === 'number' ? index : 0,
    session: typeof session === 'string' ? session : ''
  };
}

function entryJson(entry: ConsulKvEntry, withValue: boolean): Record<string, unknown> {
  return {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    // Consul returns null for an empty value (and for values it leaves out of txn results).
    Value: withValue && entry.value.length > 0 ? entry.value.toString('base64') : null,
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
    ...(entry.session !== undefined ? { Session: entry.session } : {})
  };
}

function sessionJson(session: ConsulSession): Record<string, unknown> {
  return {
    ID: session.id,
    Name: session.name,
    Node: session.node,
    LockDelay: Math.round(session.lockDelayMs * 1e6),
    Behavior: session.behavior,
    TTL: session.ttl,
    NodeChecks: ['serfHealth'],
    ServiceChecks: null,
    CreateIndex: session.createIndex,
    ModifyIndex: session.modifyIndex
  };
}

/** `?keys` listing: with a separator, keys are cut after the first separator past the prefix. */
function listKeys(entries: readonly ConsulKvEntry[], prefix: string, separator: string): string[] {
  if (separator === '') {
    return entries.map((e) => e.key);
  }
  const out = new Set<string>();
  for (const entry of entries) {
    const at = entry.key.indexOf(separator, prefix.length);
    out.add(at === -1 ? entry.key : entry.key.slice(0, at + separator.length));
  }
  return [...out];
}
