/**
 * Runs the Consul test server in its own process for the persistence benchmark (a real Consul is a
 * separate process too, so the server does not share the benchmark's event loop):
 *   node -r @swc-node/register consul-server.ts
 * Prints `consul <host:port>` once listening. Stops on SIGTERM/SIGINT or when stdin closes (the
 * benchmark process ended, whatever the way).
 */
import { ConsulTestServer } from '@voltha/testing';

async function main(): Promise<void> {
  const server = await ConsulTestServer.start();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
  process.stdout.write(`consul ${server.address}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`consul test server failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
