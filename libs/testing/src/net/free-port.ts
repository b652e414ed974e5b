import { createServer } from 'node:net';

/**
 * Ask the kernel for a free TCP port on `host` (loopback by default).
 *
 * The port is released before this resolves, so another process could in theory grab it
 * before the caller binds; for test servers on loopback that race is acceptable.
 */
export async function getFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine the allocated port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports (all held open together while allocating, so they differ). */
export async function getFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<{ port: number; close: () => Promise<void> }>((resolve, reject) => {
          const server = createServer();
          server.unref();
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') {
              reject(new Error('could not determine the allocated port'));
              return;
            }
            resolve({
              port: address.port,
              close: () => new Promise<void>((done) => server.close(() => done()))
            });
          });
        })
    )
  );
  await Promise.all(servers.map((s) => s.close()));
  return servers.map((s) => s.port);
}
