import {
  Adapter,
  AdapterConfig,
  HealthStatus,
  HealthStatus_HealthState,
  LogicalDevice,
  LogicalPort,
  VolthaInstance
} from '@voltha/proto';

import { ConfigRoot, ConfigRootOptions, ConfigTreeError, InMemoryTreeStore, Message } from '../../src';

export const HEALTHY = HealthStatus_HealthState.HEALTHY;
export const OVERLOADED = HealthStatus_HealthState.OVERLOADED;
export const DYING = HealthStatus_HealthState.DYING;

export function adapter(id: string, logLevel = 3, extra: Partial<Adapter> = {}): Adapter {
  return Adapter.fromPartial({ id, config: AdapterConfig.fromPartial({ logLevel }), ...extra });
}

export function health(state: HealthStatus_HealthState): HealthStatus {
  return HealthStatus.fromPartial({ state });
}

export function logicalDevice(id: string, ports: string[] = []): LogicalDevice {
  return LogicalDevice.fromPartial({ id, ports: ports.map((p) => LogicalPort.fromPartial({ id: p })) });
}

/** Fixture D: instance '1', health DYING, adapters '0'..'4' with log level 3. */
export function fixtureD(): VolthaInstance {
  return VolthaInstance.fromPartial({
    instanceId: '1',
    health: health(DYING),
    adapters: ['0', '1', '2', '3', '4'].map((id) => adapter(id))
  });
}

/** Fixture S: an empty VolthaInstance. */
export function fixtureS(): VolthaInstance {
  return VolthaInstance.fromPartial({});
}

export function makeRoot(initial: Message, options: Partial<ConfigRootOptions> = {}): Promise<ConfigRoot> {
  return ConfigRoot.create(initial, options);
}

export async function rootD(options: Partial<ConfigRootOptions> = {}): Promise<ConfigRoot> {
  return makeRoot(fixtureD(), options);
}

/** Asserts that `p` rejects with a ConfigTreeError of the given 1.x kind; returns the error. */
export async function expectKind(
  p: Promise<unknown> | (() => unknown),
  kind: string
): Promise<ConfigTreeError> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigTreeError);
  expect((error as ConfigTreeError).kind).toBe(kind);
  return error as ConfigTreeError;
}

export async function adapterIds(root: ConfigRoot, options: { txid?: string } = {}): Promise<string[]> {
  return (await root.getList<Adapter>('/adapters', options)).map((a) => a.id);
}

export async function logLevels(root: ConfigRoot): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const a of await root.getList<Adapter>('/adapters')) out[a.id] = a.config?.logLevel ?? 0;
  return out;
}

/** A copy of an adapter with a new log level. */
export function withLogLevel(a: Adapter, logLevel: number): Adapter {
  return Adapter.fromPartial({ ...a, config: AdapterConfig.fromPartial({ ...a.config, logLevel }) });
}

export const decoder = new TextDecoder();

/** Keys reachable from the store's root pointer by walking the persisted layout (independent of the tree). */
export async function reachableKeys(store: InMemoryTreeStore): Promise<Set<string>> {
  const pointer = await store.loadRoot();
  const seen = new Set<string>();
  if (!pointer) return seen;
  const stack: Array<[string, 'rev' | 'chunk' | 'config']> = [
    ...pointer.history.map((h) => [h, 'rev'] as [string, 'rev']),
    ...Object.values(pointer.tags).map((h) => [h, 'rev'] as [string, 'rev']),
    [pointer.latest, 'rev']
  ];
  while (stack.length > 0) {
    const [k, kind] = stack.pop() as [string, 'rev' | 'chunk' | 'config'];
    if (seen.has(k)) continue;
    const v = store.blobs.get(k);
    if (!v) throw new Error(`dangling reference to ${kind} ${k}`);
    seen.add(k);
    if (kind === 'config') continue;
    const json = JSON.parse(decoder.decode(v));
    if (kind === 'rev') {
      stack.push([json.config, 'config']);
      for (const slot of Object.values(json.children) as Array<string[] | { chunk: string | null }>) {
        if (Array.isArray(slot)) for (const h of slot) stack.push([h, 'rev']);
        else if (slot.chunk) stack.push([slot.chunk, 'chunk']);
      }
    } else {
      for (const h of json.items) stack.push([h, 'rev']);
      for (const h of json.kids) if (h) stack.push([h, 'chunk']);
    }
  }
  return seen;
}

/** The store holds exactly the blobs reachable from its root pointer (no orphan, nothing missing). */
export async function expectStoreClosed(store: InMemoryTreeStore): Promise<void> {
  const reachable = await reachableKeys(store);
  expect([...store.blobs.keys()].sort()).toEqual([...reachable].sort());
}

/** Number of Merkle search tree nodes for a key sequence, from the layout definition (independent oracle). */
export function mstNodeCount(levels: number[]): number {
  if (levels.length === 0) return 0;
  const top = Math.max(...levels);
  let count = 1;
  let gap: number[] = [];
  for (const l of levels) {
    if (l === top) {
      count += mstNodeCount(gap);
      gap = [];
    } else gap.push(l);
  }
  return count + mstNodeCount(gap);
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
