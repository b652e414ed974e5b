import { fromAny } from '@voltha/proto';
import type { AnyLike, Device, UnknownMessage } from '@voltha/proto';

/** core-config as a real process with gRPC callers (shared with the other services' tests). */
export { CoreConfigProcess as CoreConfigFixture } from '@voltha/testing';

export function decodeAny<T extends UnknownMessage>(any: AnyLike): T {
  return fromAny<T>(any);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type { Device };
