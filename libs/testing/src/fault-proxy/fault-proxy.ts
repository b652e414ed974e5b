import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type FaultMode = 'normal' | 'cut' | 'blackhole';

export interface FaultProxyOptions {
  /** Where traffic goes: `host:port` or `{ host, port }`. */
  readonly target: string | { readonly host: string; readonly port: number };
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Listen port (default 0 = a free port). */
  readonly port?: number;
}

export interface FaultProxyStats {
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Connections currently open (client side). */
  readonly open: number;
  /** Connections reset by `cut()` or refused while cut. */
  readonly reset: number;
  /** Bytes forwarded client -> target. */
  readonly bytesUp: number;
  /** Bytes forwarded target -> client. */
  readonly bytesDown: number;
}

/** One direction of a proxied connection: delivers chunks in order, after the configured latency. */
class Pipe {
  private readonly queue: { chunk: Buffer; due: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private held = false;

  constructor(
    private readonly proxy: FaultProxy,
    private readonly write: (chunk: Buffer) => void,
    private readonly count: (bytes: number) => void
  ) {}

  push(chunk: Buffer): void {
    this.queue.push({ chunk, due: Date.now() + this.proxy.latencyMs });
    this.pump();
  }

  hold(): void {
    this.held = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  release(): void {
    this.held = false;
    this.pump();
  }

  dispose(): void {
    this.hold();
    this.queue.length = 0;
  }

  private pump(): void {
    if (this.held || this.timer !== undefined) {
      return;
    }
    const now = Date.now();
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head === undefined) {
        break;
      }
      if (head.due > now) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, head.due - now);
        return;
      }
      this.queue.shift();
      this.count(head.chunk.length);
      this.write(head.chunk);
    }
  }
}

/** A client connection and (once connected) its upstream connection. */
class Link {
  upstream: Socket | undefined;
  private readonly up: Pipe;
  private readonly down: Pipe;
  private closed = false;

  constructor(
    private readonly proxy: FaultProxy,
    readonly client: Socket,
    private readonly onClose: (link: Link) => void
  ) {
    this.up = new Pipe(
      proxy,
      (chunk) => this.upstream?.write(chunk),
      (n) => proxy.countUp(n)
    );
    this.down = new Pipe(
      proxy,
      (chunk) => this.client.write(chunk),
      (n) => proxy.countDown(n)
    );
    client.on('data', (chunk: Buffer) => this.up.push(chunk));
    client.on('error', () => this.close());
    client.on('close', () => this.close());
    client.on('end', () => this.upstream?.end());
  }

  connectUpstream(host: string, port: number): void {
    if (this.closed || this.upstream !== undefined) {
      return;
    }
    const upstream = createConnection({ host, port });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('data', (chunk: Buffer) => this.down.push(chunk));
    upstream.on('error', () => this.close());
    upstream.on('close', () => this.close());
    upstream.on('end', () => this.client.end());
    upstream.on('connect', () => {
      if (this.proxy.mode === 'normal') {
        this.up.release();
      }
    });
    // Data that arrived while the link was frozen (or before the connect) is flushed on connect.
    this.up.hold();
  }

  freeze(): void {
    this.up.hold();
    this.down.hold();
    this.client.pause();
    this.upstream?.pause();
  }

  thaw(host: string, port: number): void {
    if (this.closed) {
      return;
    }
    this.client.resume();
    this.upstream?.resume();
    this.down.release();
    if (this.upstream === undefined) {
      this.connectUpstream(host, port);
    } else if (!this.upstream.connecting) {
      this.up.release();
    }
  }

  reset(): void {
    if (this.closed) {
      return;
    }
    this.client.resetAndDestroy();
    this.upstream?.resetAndDestroy();
    this.close();
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.up.dispose();
    this.down.dispose();
    this.client.destroy();
    this.upstream?.destroy();
    this.onClose(this);
  }
}

/**
 * A TCP proxy on a free loopback port in front of one target, for outage tests.
 *
 * - `setLatency(ms)`: every chunk is delayed by `ms` in each direction (order kept).
 * - `cut()`: resets every open connection (RST) and resets new ones immediately, like a crashed
 *   server or a firewall rejecting traffic, until `restore()`.
 * - `blackhole()`: connections are accepted but nothing is forwarded or answered, like a network
 *   partition; open connections freeze (their data is held, not lost), new ones are not connected
 *   upstream. `restore()` thaws them: held data is delivered, as after a healed partition.
 * - `restore()`: back to normal forwarding with no latency.
 */
export class FaultProxy {
  mode: FaultMode = 'normal';
  latencyMs = 0;
  private readonly links = new Set<Link>();
  private accepted = 0;
  private resets = 0;
  private bytesUp = 0;
  private bytesDown = 0;

  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number
  ) {}

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const target = typeof options.target === 'string' ? parseTarget(options.target) : options.target;
    const host = options.host ?? '127.0.0.1';
    const server = createServer({ noDelay: true });
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
      throw new Error('fault proxy: could not determine its port');
    }
    const proxy = new FaultProxy(server, host, address.port, target.host, target.port);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** `host:port` clients should connect to. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get stats(): FaultProxyStats {
    return {
      accepted: this.accepted,
      open: this.links.size,
      reset: this.resets,
      bytesUp: this.bytesUp,
      bytesDown: this.bytesDown
    };
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`latency must be a non-negative number of milliseconds, got ${ms}`);
    }
    this.latencyMs = ms;
  }

  cut(): void {
    this.mode = 'cut';
    for (const link of [...this.links]) {
      this.resets += 1;
      link.reset();
    }
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const link of this.links) {
      link.freeze();
    }
  }

  restore(): void {
    this.mode = 'normal';
    this.latencyMs = 0;
    for (const link of this.links) {
      link.thaw(this.targetHost, this.targetPort);
    }
  }

  async close(): Promise<void> {
    for (const link of [...this.links]) {
      link.close();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal */
  countUp(bytes: number): void {
    this.bytesUp += bytes;
  }

  /** @internal */
  countDown(bytes: number): void {
    this.bytesDown += bytes;
  }

  private accept(socket: Socket): void {
    this.accepted += 1;
    socket.setNoDelay(true);
    if (this.mode === 'cut') {
      this.resets += 1;
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
      return;
    }
    const link = new Link(this, socket, (l) => this.links.delete(l));
    this.links.add(link);
    if (this.mode === 'blackhole') {
      link.freeze();
      return;
    }
    link.connectUpstream(this.targetHost, this.targetPort);
  }
}

function parseTarget(target: string): { host: string; port: number } {
  const index = target.lastIndexOf(':');
  const port = Number(target.slice(index + 1));
  if (index <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`fault proxy: target must be host:port, got "${target}"`);
  }
  return { host: target.slice(0, index).replace(/^\[(.*)\]$/, '$1'), port };
}
