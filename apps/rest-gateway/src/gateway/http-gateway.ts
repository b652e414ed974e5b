import type { Message, Registry } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

import { DOCS_PAGE_HTML } from './docs-page';
import { RequestMappingError, buildRequest, renderMessage, renderResponse } from './json-mapping';
import type { OpenApiDocument } from './openapi';
import { PathDecodeError } from './path-template';
import type { GatewayRoute, RouteTable } from './route-table';
import { errorBody, grpcErrorOf, httpStatusOf } from './status-mapping';
import type { UpstreamCaller } from './upstream';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/v1/docs';

/** Observations the gateway reports (Prometheus in production, nothing in unit tests). */
export interface GatewayObserver {
  request(method: string, route: string, status: number, seconds: number): void;
  streams(open: number): void;
}

export interface GatewayHandlerOptions {
  table: RouteTable;
  registry: Registry;
  upstream: UpstreamCaller;
  openapi: OpenApiDocument;
  logger: Logger;
  observer?: GatewayObserver;
  /** Largest accepted request body, bytes (413 beyond). */
  maxBodyBytes: number;
  /** Interval of SSE comment lines that keep proxies from closing idle streams, ms. */
  sseHeartbeatMs?: number;
}

/** An answer the gateway gives itself (no upstream call): HTTP status, gRPC code, message. */
class GatewayError extends Error {
  public constructor(
    public readonly httpStatus: number,
    public readonly code: status,
    message: string,
    public readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

/**
 * The request handler of the REST gateway: built-in pages (OpenAPI document, docs page), then the
 * generated routes. A unary route builds the request message from path, query and body, calls the
 * RPC with a deadline and answers 200 with the JSON of the response; a gRPC error becomes its HTTP
 * status with `{"error", "code"}`. A streaming route answers with Server-Sent Events.
 */
export class GatewayHandler {
  private readonly streams = new Set<{ end(): void }>();
  private inflight = 0;
  private readonly openapiJson: string;

  public constructor(private readonly options: GatewayHandlerOptions) {
    this.openapiJson = JSON.stringify(options.openapi, null, 2);
  }

  /** Requests being served, event streams included. */
  public get busy(): number {
    return this.inflight;
  }

  /** Ends every open event stream (shutdown). */
  public endStreams(): void {
    for (const s of [...this.streams]) s.end();
  }

  public handle(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let routeLabel = 'unmatched';
    this.inflight++;
    res.on('close', () => {
      this.inflight--;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.options.observer?.request(method, routeLabel, res.statusCode, seconds);
      const fields = {
        method,
        url: req.url,
        route: routeLabel,
        status: res.statusCode,
        ms: Math.round(seconds * 10_000) / 10
      };
      if (res.statusCode >= 500) this.options.logger.warn(fields, 'request');
      else this.options.logger.info(fields, 'request');
    });
    void this.dispatch(req, res, method, (label) => (routeLabel = label)).catch((e: unknown) => {
      this.fail(res, e);
    });
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    label: (route: string) => void
  ): Promise<void> {
    // split by hand: new URL() would read '//x/...' as a host and resolve '..' segments
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    let path = q >= 0 ? raw.slice(0, q) : raw;
    const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);

    const builtin = this.builtin(path);
    if (builtin) {
      label(path);
      req.resume();
      if (method !== 'GET' && method !== 'HEAD') {
        throw new GatewayError(405, status.UNIMPLEMENTED, `${method} is not allowed on ${path}`, {
          allow: 'GET, HEAD'
        });
      }
      if (builtin.redirect) {
        res.writeHead(302, { location: builtin.redirect }).end();
        return;
      }
      res.writeHead(200, { 'content-type': builtin.type, 'cache-control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : builtin.body);
      return;
    }

    let match;
    try {
      match = this.options.table.match(method, path);
    } catch (e) {
      if (e instanceof PathDecodeError) throw new GatewayError(400, status.INVALID_ARGUMENT, e.message);
      throw e;
    }
    if (match.kind === 'not-found') {
      req.resume();
      throw new GatewayError(404, status.NOT_FOUND, `no route for ${method} ${path}`);
    }
    if (match.kind === 'method-not-allowed') {
      req.resume();
      throw new GatewayError(405, status.UNIMPLEMENTED, `${method} is not allowed on ${path}`, {
        allow: match.allow.join(', ')
      });
    }
    const { route, params } = match;
    label(route.template.source);
    let body = '';
    if (route.body === '')
      req.resume(); // a body on a route without one is ignored, as 1.x did
    else body = await this.readBody(req);
    const metadata = this.metadataOf(req, query);
    let request: Message;
    try {
      request = buildRequest(route, { params, query, body }, this.options.registry);
    } catch (e) {
      if (e instanceof RequestMappingError) throw new GatewayError(400, status.INVALID_ARGUMENT, e.message);
      throw e;
    }
    if (route.streaming) {
      this.stream(res, route, request, metadata);
      return;
    }
    const response = await this.options.upstream.unary(route, request, metadata);
    const json = renderResponse(route, response, this.options.registry);
    this.sendJson(res, 200, json);
  }

  private builtin(path: string): { type: string; body: string; redirect?: string } | undefined {
    if (path === OPENAPI_PATH) return { type: 'application/json', body: this.openapiJson };
    if (path === DOCS_PATH) return { type: 'text/html; charset=utf-8', body: DOCS_PAGE_HTML };
    if (path === '/') return { type: 'text/plain', body: '', redirect: DOCS_PATH };
    return undefined;
  }

  /** get-depth from the header (1.x) or the `depth` query parameter; the header wins. */
  private metadataOf(req: IncomingMessage, query: URLSearchParams): Record<string, string> {
    const header = req.headers['get-depth'];
    const raw = (Array.isArray(header) ? header[0] : header) ?? query.get('depth') ?? undefined;
    if (raw === undefined) return {};
    const value = raw.trim();
    if (!/^-?\d+$/.test(value)) {
      throw new GatewayError(400, status.INVALID_ARGUMENT, `get-depth/depth '${raw}' is not an integer`);
    }
    return { 'get-depth': String(Number(value)) };
  }

  private readBody(req: IncomingMessage): Promise<string> {
    const limit = this.options.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      req.resume();
      return Promise.reject(
        new GatewayError(413, status.RESOURCE_EXHAUSTED, `request body over ${limit} bytes`, {
          connection: 'close'
        })
      );
    }
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      req.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (size > limit) {
          failed = true;
          reject(
            new GatewayError(413, status.RESOURCE_EXHAUSTED, `request body over ${limit} bytes`, {
              connection: 'close'
            })
          );
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (failed) return;
        const buf = Buffer.concat(chunks);
        try {
          resolve(new TextDecoder('utf-8', { fatal: true }).decode(buf));
        } catch {
          reject(new GatewayError(400, status.INVALID_ARGUMENT, 'request body is not valid UTF-8'));
        }
      });
      req.on('error', reject);
    });
  }

  /**
   * Server-Sent Events of a server-streaming RPC. The HTTP status waits for the server's response
   * headers, so an unreachable core-config still gives a plain 503; once streaming, an upstream error
   * is sent as an `error` event and the stream ends (EventSource clients reconnect by themselves).
   */
  private stream(
    res: ServerResponse,
    route: GatewayRoute,
    request: Message,
    metadata: Record<string, string>
  ): void {
    const call = this.options.upstream.serverStream(route, request, metadata);
    let state: 'waiting' | 'streaming' | 'done' = 'waiting';
    let heartbeat: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (state === 'done') return;
      state = 'done';
      if (heartbeat) clearInterval(heartbeat);
      if (this.streams.delete(handle)) this.options.observer?.streams(this.streams.size);
      call.removeAllListeners('data');
      call.removeAllListeners('metadata');
      call.cancel();
    };
    const handle = {
      // shutdown: a stream not yet started still gets a proper answer
      end: (): void => {
        const waiting = state === 'waiting';
        finish();
        if (waiting) this.sendJson(res, 503, errorBody(status.UNAVAILABLE, 'rest-gateway is shutting down'));
        else if (!res.writableEnded) res.end();
      }
    };
    const start = (): void => {
      if (state !== 'waiting') return;
      state = 'streaming';
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no'
      });
      res.write('retry: 2000\n\n');
      heartbeat = setInterval(() => res.write(': keep-alive\n\n'), this.options.sseHeartbeatMs ?? 15_000);
      heartbeat.unref();
    };
    const failStream = (code: status, message: string): void => {
      if (state === 'waiting') {
        finish();
        this.sendJson(res, httpStatusOf(code), errorBody(code, message));
        return;
      }
      res.write(`event: error\ndata: ${JSON.stringify(errorBody(code, message))}\n\n`);
      finish();
      res.end();
    };
    this.streams.add(handle);
    this.options.observer?.streams(this.streams.size);
    call.on('metadata', start);
    call.on('data', (message: Message) => {
      if (state === 'done') return;
      start();
      let json;
      try {
        json = renderMessage(route.rpc.output, message, this.options.registry);
      } catch (e) {
        this.options.logger.error({ err: e, rpc: route.grpcPath }, 'cannot render a streamed message');
        failStream(status.INTERNAL, (e as Error).message);
        return;
      }
      res.write(`data: ${JSON.stringify(json)}\n\n`);
    });
    call.on('error', (err: unknown) => {
      if (state === 'done') return; // includes our own cancel
      const { code, message } = grpcErrorOf(err);
      failStream(code, message);
    });
    call.on('end', () => {
      if (state === 'done') return;
      start();
      finish();
      res.end();
    });
    // the response's 'close' (not the request's, which fires once the request is read) tells that
    // the client went away
    res.on('close', finish);
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e instanceof GatewayError) {
      this.sendJson(res, e.httpStatus, errorBody(e.code, e.message), e.headers);
      return;
    }
    const { code, message } = grpcErrorOf(e);
    if (code === status.INTERNAL) this.options.logger.error({ err: e }, 'internal error');
    this.sendJson(res, httpStatusOf(code), errorBody(code, message));
  }

  private sendJson(
    res: ServerResponse,
    statusCode: number,
    json: unknown,
    headers: Record<string, string> = {}
  ): void {
    const text = JSON.stringify(json);
    res.writeHead(statusCode, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text)
    });
    res.end(text);
  }
}
