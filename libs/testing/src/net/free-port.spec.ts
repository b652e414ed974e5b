import { createServer } from 'node:net';

import { getFreePort, getFreePorts } from './free-port';

describe('getFreePort', () => {
  it('should return a port that can be bound on loopback', async () => {
    const port = await getFreePort();
    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('should return distinct ports from getFreePorts', async () => {
    const ports = await getFreePorts(3);
    expect(new Set(ports).size).toBe(3);
  });
});
