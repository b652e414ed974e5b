/**
 * Persistence benchmark (`npm run bench:persist`): updates/s and KV round trips per mutation of
 *   (a) the VOLTHA 1.x pattern: one PUT per new blob, one after the other, then `root` (OneXTreeStore);
 *   (b) the write queue: KvTreeStore in sync mode (group commit, one KV transaction per group);
 * plus (b) in journal mode for reference, with 64 concurrent writers against a real etcd
 * (`startEtcd`) and against the Consul test server (in its own process, through the real consul driver).
 *
 * Every run starts from the same persisted tree: 1,000 adapters and 1,000 devices with two ports each,
 * with a full history (1,000 root revisions), so that every mutation also evicts one old revision and
 * its garbage blobs are deleted (steady state). Writers alternate adapter updates (`/adapters/<id>`)
 * and port updates (`/devices/<id>/ports/2`); every update changes the data. Every KvStore call made
 * while measuring (get, getMany, list, put, delete, txn) counts as one round trip; in journal mode
 * the background flush into the KV store is waited for and counted as well. Afterwards each tree
 * is reloaded from the KV store and must have the writer's root hash (both patterns really persist).
 *
 * The three patterns of a backend are open at the same time (each on its own prefix) and measured in
 * interleaved slices of about one second, so that load from other processes affects them alike.
 *
 * Options: --seconds=N (measured time per pattern, default 5), --writers=N (default 64),
 * --backends=etcd,consul (default both).
 * Targets: (b) needs >= 20x fewer round trips per mutation than (a), and >= 10x its throughput
 * against etcd. The exit code is 1 when a target is missed.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

import { ConfigRoot, InMemoryTreeStore, decodeRootPointer } from '@voltha/config-tree';
import type { RootPointer, TreeStore } from '@voltha/config-tree';
import { createKvStore } from '@voltha/kv';
import type { KvLock, KvStore } from '@voltha/kv';
import { Adapter, AdapterConfig, Device, Port, VolthaInstance } from '@voltha/proto';
import { startEtcd } from '@voltha/testing';

import { KvTreeStore, LOCK_KEY, ROOT_KEY } from '../src';
import type { KvTreeStoreStats, WriteMode } from '../src';
import { CountingKvStore, totalCalls } from './counting-kv-store';
import type { KvCallCounts } from './counting-kv-store';
import { OneXTreeStore } from './one-x-tree-store';

// ------------------------------------------------------------------ parameters

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

const SECONDS = Number(option('seconds', '5'));
const WRITERS = Number(option('writers', '64'));
const BACKENDS = option('backends', 'etcd,consul')
  .split(',')
  .filter((b): b is Backend => b === 'etcd' || b === 'consul');
const WARMUP_MS = 1000;
const ADAPTERS = 1000;
const DEVICES = 1000;
const HISTORY = 1000;
const RT_TARGET = 20;
const THROUGHPUT_TARGET = 10;

type Backend = 'etcd' | 'consul';
type Pattern = '1x' | 'sync' | 'journal';

const PATTERNS: readonly Pattern[] = ['1x', 'sync', 'journal'];

const PATTERN_NAMES: Record<Pattern, string> = {
  '1x': '(a) 1.x put per blob',
  sync: '(b) write queue',
  journal: '(b) journal mode'
};

// ------------------------------------------------------------------ workload

const adapterId = (i: number): string => `adapter-${i}`;
const deviceId = (i: number): string => `dev-${i}`;

function adapter(i: number, version: string): Adapter {
  return Adapter.fromPartial({
    id: adapterId(i),
    vendor: 'bench',
    version,
    config: AdapterConfig.fromPartial({ logLevel: 3 })
  });
}

function initialTree(): VolthaInstance {
  return VolthaInstance.fromPartial({
    instanceId: 'bench',
    adapters: Array.from({ length: ADAPTERS }, (_, i) => adapter(i, 'v0')),
    devices: Array.from({ length: DEVICES }, (_, i) =>
      Device.fromPartial({
        id: deviceId(i),
        type: 'brcm_openomci_onu',
        ports: [Port.fromPartial({ portNo: 1, label: 'pon' }), Port.fromPartial({ portNo: 2, label: 'uni' })]
      })
    )
  });
}

/** Counts updates across all writers and runs: makes every update change the data and picks its target. */
let updateSeq = 0;

/** The next update: adapters and ports by turns, walking all items with stride 7 (coprime to 1,000). */
function mutate(root: ConfigRoot): Promise<unknown> {
  const n = ++updateSeq;
  const step = Math.floor(n / 2) * 7;
  if (n % 2 === 0) {
    const i = step % ADAPTERS;
    return root.update(`/adapters/${adapterId(i)}`, adapter(i, `v${n}`));
  }
  const i = step % DEVICES;
  return root.update(`/devices/${deviceId(i)}/ports/2`, Port.fromPartial({ portNo: 2, label: `uni-${n}` }));
}

/** WRITERS concurrent writers, each updating in a loop until `ms` have passed. */
async function drive(root: ConfigRoot, ms: number): Promise<{ mutations: number; lastAck: number }> {
  const deadline = performance.now() + ms;
  let mutations = 0;
  let lastAck = performance.now();
  const writer = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await mutate(root);
      mutations++;
      lastAck = performance.now();
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, () => writer()));
  return { mutations, lastAck };
}

// ------------------------------------------------------------------ seed

interface Seed {
  blobs: ReadonlyMap<string, Uint8Array>;
  pointer: RootPointer;
}

/** The starting tree, built in memory once: initial state plus HISTORY - 1 updates (full history). */
async function buildSeed(): Promise<Seed> {
  const store = new InMemoryTreeStore();
  store.recordBatches = false;
  const root = await ConfigRoot.create(initialTree(), { store, historySize: HISTORY });
  for (let n = 1; n < HISTORY; n++) {
    const i = (n * 7) % ADAPTERS;
    await root.update(`/adapters/${adapterId(i)}`, adapter(i, `seed-${n}`));
  }
  await root.close();
  const pointer = await store.loadRoot();
  if (!pointer || pointer.history.length !== HISTORY) throw new Error('seed: unexpected history');
  return { blobs: store.blobs, pointer };
}

/** Writes the seed into an empty prefix (not measured): one batch through the write queue. */
async function writeSeed(kv: KvStore, seed: Seed): Promise<void> {
  const store = await KvTreeStore.open({ kv });
  try {
    await store.commit({ puts: seed.blobs, deletes: [], root: seed.pointer });
  } finally {
    await store.close();
  }
}

// ------------------------------------------------------------------ one run

interface RunResult {
  backend: Backend;
  pattern: Pattern;
  mutations: number;
  seconds: number;
  rate: number;
  calls: number;
  perMutation: number;
  counts: KvCallCounts;
  /** Journal mode: time from the last acknowledgement until the KV store had everything. */
  drainSeconds?: number;
  /** KvTreeStore counters over the measurement. */
  queue?: { groups: number; kvTransactions: number; batchesWritten: number };
}

interface BackendHandle {
  backend: Backend;
  kv(prefix: string): KvStore;
  info: string;
}

let sessionCounter = 0;

const addCounts = (a: KvCallCounts, b: KvCallCounts): KvCallCounts => ({
  get: a.get + b.get,
  getMany: a.getMany + b.getMany,
  list: a.list + b.list,
  put: a.put + b.put,
  delete: a.delete + b.delete,
  txn: a.txn + b.txn
});

/**
 * One pattern on one backend: its own prefix holding the seed, a counted KV client, the store of
 * the pattern and the loaded tree. Measured in slices (see `main`) whose figures add up.
 */
class Session {
  private mutations = 0;
  private seconds = 0;
  private drainSeconds = 0;
  private counts: KvCallCounts = { get: 0, getMany: 0, list: 0, put: 0, delete: 0, txn: 0 };
  private queueDelta = { groups: 0, kvTransactions: 0, batchesWritten: 0 };
  private root: ConfigRoot | undefined;
  private queue: KvTreeStore | undefined;
  private lock: KvLock | undefined;

  private constructor(
    private readonly handle: BackendHandle,
    readonly pattern: Pattern,
    private readonly raw: KvStore,
    private readonly kv: CountingKvStore
  ) {}

  static async open(handle: BackendHandle, pattern: Pattern, seed: Seed): Promise<Session> {
    const raw = handle.kv(`bench/persist/${Date.now()}-${++sessionCounter}-${pattern}`);
    const session = new Session(handle, pattern, raw, new CountingKvStore(raw));
    try {
      await session.start(seed);
      return session;
    } catch (e) {
      await session.close();
      throw e;
    }
  }

  private async start(seed: Seed): Promise<void> {
    await writeSeed(this.raw, seed);
    let store: TreeStore;
    if (this.pattern === '1x') {
      store = new OneXTreeStore(this.kv);
    } else {
      this.lock = await this.kv.lock(LOCK_KEY, { owner: 'bench' });
      this.queue = await KvTreeStore.open({
        kv: this.kv,
        mode: this.pattern as WriteMode,
        journalPath:
          this.pattern === 'journal' ? join(mkdtempSync(join(workDir(), 'journal-')), 'journal') : undefined,
        fence: this.lock
      });
      store = this.queue;
    }
    this.root = await ConfigRoot.load({ store, historySize: HISTORY });
    if (this.root.latestHash !== seed.pointer.latest) throw new Error('loaded tree differs from the seed');
  }

  private get tree(): ConfigRoot {
    if (!this.root) throw new Error('session not started');
    return this.root;
  }

  /** Updates for `ms` without counting anything (JIT, connections, caches). */
  async warmUp(ms: number): Promise<void> {
    await drive(this.tree, ms);
    await this.queue?.drain(60_000);
  }

  /** Updates for `ms` and adds mutations, time to the last acknowledgement and KV calls. */
  async measure(ms: number): Promise<void> {
    this.kv.reset();
    const before: KvTreeStoreStats | undefined = this.queue?.getStats();
    const t0 = performance.now();
    const { mutations, lastAck } = await drive(this.tree, ms);
    // Journal mode: the background flush into the KV store belongs to these mutations.
    await this.queue?.drain(120_000);
    const drained = performance.now();
    const after = this.queue?.getStats();
    this.mutations += mutations;
    this.seconds += (lastAck - t0) / 1000;
    this.drainSeconds = Math.max(this.drainSeconds, (drained - lastAck) / 1000);
    this.counts = addCounts(this.counts, this.kv.snapshot());
    if (before && after) {
      this.queueDelta.groups += after.groups - before.groups;
      this.queueDelta.kvTransactions += after.kvTransactions - before.kvTransactions;
      this.queueDelta.batchesWritten += after.batchesWritten - before.batchesWritten;
    }
  }

  /** The KV store must hold exactly the tree's latest root, with every blob it needs. */
  async verify(): Promise<void> {
    const latest = this.tree.latestHash;
    const stored = await this.raw.get(ROOT_KEY);
    if (!stored || decodeRootPointer(stored.value).latest !== latest) {
      throw new Error(
        `${this.handle.backend} ${this.pattern}: the KV root pointer is not the tree's latest root`
      );
    }
    const reloaded = await ConfigRoot.load({ store: new OneXTreeStore(this.raw), historySize: HISTORY });
    await reloaded.close();
    if (reloaded.latestHash !== latest) {
      throw new Error(`${this.handle.backend} ${this.pattern}: the tree reloaded from the KV store differs`);
    }
  }

  result(): RunResult {
    const calls = totalCalls(this.counts);
    return {
      backend: this.handle.backend,
      pattern: this.pattern,
      mutations: this.mutations,
      seconds: this.seconds,
      rate: this.mutations / this.seconds,
      calls,
      perMutation: calls / this.mutations,
      counts: this.counts,
      drainSeconds: this.pattern === 'journal' ? this.drainSeconds : undefined,
      queue: this.queue ? { ...this.queueDelta } : undefined
    };
  }

  async close(): Promise<void> {
    await this.root?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
    await this.lock?.release().catch(() => undefined);
    await this.raw.close().catch(() => undefined);
  }
}

/**
 * Reference: the same workload with the in-memory store (no KV store at all), i.e. what the tree
 * itself costs per mutation on this machine; no pattern can be faster.
 */
async function runTreeOnly(seed: Seed): Promise<{ mutations: number; rate: number }> {
  const store = new InMemoryTreeStore();
  store.recordBatches = false;
  for (const [k, v] of seed.blobs) store.blobs.set(k, v);
  store.setRootPointer(seed.pointer);
  const root = await ConfigRoot.load({ store, historySize: HISTORY });
  try {
    await drive(root, WARMUP_MS);
    const t0 = performance.now();
    const { mutations, lastAck } = await drive(root, SECONDS * 1000);
    return { mutations, rate: mutations / ((lastAck - t0) / 1000) };
  } finally {
    await root.close();
  }
}

// ------------------------------------------------------------------ servers

const cleanups: Array<() => Promise<unknown>> = [];

let tempDir: string | undefined;

/** A temp dir for the journals, removed at the end (also on error or interrupt). */
function workDir(): string {
  if (!tempDir) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-persist-'));
    tempDir = dir;
    cleanups.unshift(async () => {
      rmSync(dir, { recursive: true, force: true });
      tempDir = undefined;
    });
  }
  return tempDir;
}

async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

async function startConsulProcess(): Promise<{ address: string; child: ChildProcess }> {
  const repo = join(__dirname, '..', '..', '..');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'consul-server.ts')], {
    cwd: repo,
    env: { ...process.env, SWC_NODE_PROJECT: join(repo, 'tsconfig.base.json') },
    stdio: ['pipe', 'pipe', 'inherit']
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  });
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('consul test server did not start in 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('consul ')) {
        clearTimeout(timer);
        resolve(line.slice('consul '.length));
      }
    });
    void exited.then(() => reject(new Error('consul test server exited')));
  });
  return { address, child };
}

async function startBackend(backend: Backend): Promise<BackendHandle> {
  if (backend === 'etcd') {
    const etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    let version = 'etcd';
    try {
      version = execFileSync('/usr/bin/etcd', ['--version']).toString().split('\n')[0].trim();
    } catch {
      // version unknown
    }
    return {
      backend,
      info: `${version}, single member, WAL on local disk (startEtcd)`,
      kv: (prefix) => createKvStore({ backend: 'etcd', endpoints: etcd.address, prefix })
    };
  }
  const { address } = await startConsulProcess();
  return {
    backend,
    info: 'ConsulTestServer (in-memory) in its own Node process, real consul driver over HTTP',
    kv: (prefix) => createKvStore({ backend: 'consul', address, prefix })
  };
}

// ------------------------------------------------------------------ report

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string =>
    '| ' + r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ') + ' |';
  const sep =
    '|' + widths.map((w, c) => (c < 2 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

function report(results: RunResult[], treeOnlyRate: number): boolean {
  const rows = [
    ['backend', 'pattern', 'mutations', 'seconds', 'mutations/s', 'KV round trips', 'round trips/mutation']
  ];
  for (const r of results) {
    rows.push([
      r.backend,
      PATTERN_NAMES[r.pattern],
      fmt(r.mutations),
      fmt(r.seconds, 2),
      fmt(r.rate, 1),
      fmt(r.calls),
      fmt(r.perMutation, 2)
    ]);
  }
  console.log(table(rows));
  console.log(`tree only, same workload with the in-memory store: ${fmt(treeOnlyRate, 1)} mutations/s`);

  console.log('\nKV calls by kind (measured part), and group commits of the write queue:');
  const detail = [['backend', 'pattern', 'put', 'delete', 'txn', 'get', 'getMany', 'mutations/KV txn']];
  for (const r of results) {
    const c = r.counts;
    detail.push([
      r.backend,
      PATTERN_NAMES[r.pattern],
      fmt(c.put),
      fmt(c.delete),
      fmt(c.txn),
      fmt(c.get),
      fmt(c.getMany),
      r.queue && r.queue.kvTransactions > 0 ? fmt(r.queue.batchesWritten / r.queue.kvTransactions, 2) : '-'
    ]);
  }
  console.log(table(detail));
  for (const r of results) {
    if (r.drainSeconds !== undefined) {
      console.log(
        `${r.backend} journal mode: the KV store had every acknowledged batch ${fmt(r.drainSeconds, 2)} s after the last acknowledgement`
      );
    }
  }

  console.log('\nRatios (a)/(b) against the targets:');
  const ratios = [
    ['backend', 'compared with (a)', 'round trips (a)/(b)', 'target', '', 'throughput (b)/(a)', 'target', '']
  ];
  let ok = true;
  for (const backend of BACKENDS) {
    const a = results.find((r) => r.backend === backend && r.pattern === '1x');
    if (!a) continue;
    for (const pattern of ['sync', 'journal'] as const) {
      const b = results.find((r) => r.backend === backend && r.pattern === pattern);
      if (!b) continue;
      const rt = a.perMutation / b.perMutation;
      const thr = b.rate / a.rate;
      const binding = pattern === 'sync';
      const rtPass = rt >= RT_TARGET;
      const thrApplies = binding && backend === 'etcd';
      const thrPass = thr >= THROUGHPUT_TARGET;
      if (binding && !rtPass) ok = false;
      if (thrApplies && !thrPass) ok = false;
      ratios.push([
        backend,
        PATTERN_NAMES[pattern],
        `${fmt(rt, 1)}x`,
        `>= ${RT_TARGET}x`,
        binding ? (rtPass ? 'PASS' : 'FAIL') : rtPass ? '(pass)' : '(miss)',
        `${fmt(thr, 1)}x`,
        `>= ${THROUGHPUT_TARGET}x`,
        thrApplies ? (thrPass ? 'PASS' : 'FAIL') : thrPass ? '(pass)' : '(miss)'
      ]);
    }
  }
  console.log(table(ratios));
  console.log(
    'PASS/FAIL: binding targets ((b) sync vs (a); throughput on etcd only). In parentheses: for information.'
  );
  return ok;
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  // The consul driver's getMany puts one abort listener per parallel GET (16) on one signal, which
  // trips Node's leak warning (10) while loading the tree; the listeners are removed afterwards.
  setMaxListeners(32);
  const started = performance.now();
  const cpu = cpus();
  console.log(
    `persistence benchmark: ${WRITERS} concurrent writers, ${SECONDS} s per pattern (after ${WARMUP_MS / 1000} s warm-up), ` +
      `tree of ${fmt(ADAPTERS)} adapters + ${fmt(DEVICES)} devices x 2 ports, history ${fmt(HISTORY)} (full)`
  );
  console.log(`machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`);

  const seed = await buildSeed();
  console.log(`seed: ${fmt(seed.blobs.size)} blobs + root pointer`);
  const treeOnly = await runTreeOnly(seed);
  console.log(
    `tree only (in-memory store, no KV): ${fmt(treeOnly.mutations)} mutations, ${fmt(treeOnly.rate, 1)} mutations/s ` +
      '(the ceiling for every pattern)'
  );

  // The three patterns of a backend are measured in interleaved slices (a, b, journal, a, b, ...),
  // so that load from other processes on the machine affects them alike.
  const slices = Math.max(1, Math.round(SECONDS));
  const results: RunResult[] = [];
  for (const backend of BACKENDS) {
    const handle = await startBackend(backend);
    console.log(`${backend}: ${handle.info}`);
    const sessions: Session[] = [];
    try {
      for (const pattern of PATTERNS) sessions.push(await Session.open(handle, pattern, seed));
      for (const s of sessions) await s.warmUp(WARMUP_MS);
      for (let i = 0; i < slices; i++) {
        for (const s of sessions) await s.measure((SECONDS * 1000) / slices);
      }
      for (const s of sessions) {
        await s.verify();
        const r = s.result();
        console.log(
          `  ${PATTERN_NAMES[s.pattern].padEnd(22)} ${fmt(r.mutations).padStart(7)} mutations in ${fmt(r.seconds, 2)} s, ` +
            `${fmt(r.perMutation, 2)} round trips/mutation`
        );
        results.push(r);
      }
    } finally {
      for (const s of sessions) await s.close();
      await cleanup();
    }
  }
  console.log('');
  const ok = report(results, treeOnly.rate);
  console.log(`total ${fmt((performance.now() - started) / 1000, 1)} s`);
  if (!ok) process.exitCode = 1;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
