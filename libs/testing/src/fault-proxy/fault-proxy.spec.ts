import { createConnection, createServer, type Server, type Socket } from 'node:net';

import { FaultProxy } from './fault-proxy';

/** An echo server that also counts connections. */
async function startEcho(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port, sockets };
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Send `text` and resolve with what comes back within `timeoutMs` (undefined if nothing). */
function roundTrip(socket: Socket, text: string, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('utf8');
      if (received.length >= text.length) {
        done(received);
      }
    };
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(value);
    };
    const timer = setTimeout(() => done(received === '' ? undefined : received), timeoutMs);
    socket.on('data', onData);
    socket.write(text);
  });
}

function closed(socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    socket.on('error', (e) => {
      error = e;
    });
    socket.once('close', () => resolve(error));
  });
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let proxy: FaultProxy;
  const clients: Socket[] = [];

  beforeAll(async () => {
    echo = await startEcho();
  });

  beforeEach(async () => {
    proxy = await FaultProxy.start({ target: `127.0.0.1:${echo.port}` });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proxy.close();
  });

  afterAll(async () => {
    for (const s of echo.sockets) s.destroy();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  async function client(): Promise<Socket> {
    const socket = await connect(proxy.port);
    socket.on('error', () => undefined);
    clients.push(socket);
    return socket;
  }

  it('should forward traffic in both directions', async () => {
    const socket = await client();
    expect(await roundTrip(socket, 'hello')).toBe('hello');
    expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
    expect(proxy.stats.bytesUp).toBe(5);
    expect(proxy.stats.bytesDown).toBe(5);
  });

  it('should delay traffic by the configured latency in each direction', async () => {
    const socket = await client();
    await roundTrip(socket, 'warm');
    proxy.setLatency(150);
    const started = Date.now();
    expect(await roundTrip(socket, 'slow')).toBe('slow');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('should reset open connections and refuse new ones while cut, and recover on restore', async () => {
    const socket = await client();
    await roundTrip(socket, 'x');
    const gone = closed(socket);
    proxy.cut();
    const error = await gone;
    expect(error === undefined || /ECONNRESET|EPIPE/.test(error.message)).toBe(true);

    // A new connection is accepted and reset at once: either the connect or the first read fails.
    const refused = await connect(proxy.port).then(
      (again) => {
        clients.push(again);
        return closed(again);
      },
      (e: Error) => e
    );
    // (node:net errors come from another realm under Jest, so no toBeInstanceOf(Error))
    expect((refused as Error | undefined)?.message).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    expect(proxy.stats.reset).toBeGreaterThanOrEqual(2);

    proxy.restore();
    const fresh = await client();
    expect(await roundTrip(fresh, 'back')).toBe('back');
  });

  it('should swallow traffic while black-holed and deliver it after restore', async () => {
    const socket = await client();
    await roundTrip(socket, 'a');
    proxy.blackhole();
    expect(await roundTrip(socket, 'held', 300)).toBeUndefined();

    const newcomer = await client();
    expect(await roundTrip(newcomer, 'new', 300)).toBeUndefined();
    expect(echo.sockets.size).toBe(1);

    proxy.restore();
    const late = await new Promise<string>((resolve) =>
      socket.once('data', (c: Buffer) => resolve(c.toString()))
    );
    expect(late).toBe('held');
    const lateNew = await new Promise<string>((resolve) =>
      newcomer.once('data', (c: Buffer) => resolve(c.toString()))
    );
    expect(lateNew).toBe('new');
  });

  it('should reject invalid latency and targets', async () => {
    expect(() => proxy.setLatency(-1)).toThrow(RangeError);
    await expect(FaultProxy.start({ target: 'nonsense' })).rejects.toThrow(/host:port/);
  });
});
