/**
 * Benchmark (b): install 2,048 subscribers x 5 flows (EAPOL, DHCP and IGMP traps, upstream and
 * downstream data) one flow-mod at a time through the OpenFlow table semantics and the incremental
 * decomposition engine; compare with the 1.x model (the whole table decomposed after every mod).
 *   npx tsx --tsconfig tsconfig.base.json libs/flow-decomposition/bench/flows.bench.ts
 */
import { performance } from 'node:perf_hooks';

import type { ofpFlowMod, ofpFlowStats } from '@voltha/proto';
import { ofpMeterModCommand } from '@voltha/proto';
import { dropBand, meterMod, OpenFlowTables, subscriberFlowMods } from '@voltha/openflow';

import { DecompositionEngine, Topology, decomposeFlowDetailed } from '../src';
import type { GroupLookup, MeterLookup } from '../src';
import { buildPon, nniPort, uniPort } from '../test/fixtures';

const spec = { nnis: 2, pons: 8, onusPerPon: 64, unisPerOnu: 4 }; // 4,096 UNIs; 2,048 subscribers use half of them
const SUBSCRIBERS = 2048;
const fx = buildPon(spec);

function subscriberMods(s: number): ofpFlowMod[] {
  const p = s % spec.pons;
  const o = Math.floor(s / spec.pons) % spec.onusPerPon;
  const k = Math.floor(s / (spec.pons * spec.onusPerPon));
  // one S-tag per subscriber: the downstream table-0 matches stay distinct
  return subscriberFlowMods({
    uni: uniPort(spec, p, o, k),
    nni: nniPort(s % spec.nnis),
    cTag: 100 + (s % 3000),
    sTag: 1 + s
  });
}

const mods: ofpFlowMod[] = [];
for (let s = 0; s < SUBSCRIBERS; s++) mods.push(...subscriberMods(s));
const N = mods.length;
const CHECKPOINTS = [1000, 10000].filter((c) => c <= N);

function setup(): { tables: OpenFlowTables; engine: DecompositionEngine } {
  const tables = new OpenFlowTables();
  const engine = new DecompositionEngine(Topology.build(fx));
  for (const m of [
    meterMod(ofpMeterModCommand.OFPMC_ADD, 1, 1, [dropBand(10000)]),
    meterMod(ofpMeterModCommand.OFPMC_ADD, 2, 1, [dropBand(10000)])
  ]) {
    engine.applyTablesDelta(tables.applyMeterMod(m));
  }
  return { tables, engine };
}

// ---- incremental (2.x model) --------------------------------------------------------------------
function runIncremental(): {
  cumulative: Map<number, number>;
  window: Map<number, number>;
  deviceFlows: number;
} {
  const { tables, engine } = setup();
  const cumulative = new Map<number, number>();
  const window = new Map<number, number>();
  const perMod = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    engine.applyTablesDelta(tables.applyFlowMod(mods[i]));
    const dt = performance.now() - t0;
    perMod[i] = dt;
    total += dt;
    const n = i + 1;
    if (CHECKPOINTS.includes(n)) {
      cumulative.set(n, total);
      let w = 0;
      for (let j = n - 500; j < n; j++) w += perMod[j];
      window.set(n, w / 500);
    }
  }
  if (engine.failedFlows().length !== 0)
    throw new Error(`${engine.failedFlows().length} flows failed: ${engine.failedFlows()[0].error.message}`);
  let deviceFlows = 0;
  for (const s of engine.snapshot().values()) deviceFlows += s.flows.size;
  return { cumulative, window, deviceFlows };
}

// ---- whole-table recompute per flow-mod (1.x model) -----------------------------------------------
function recomputeAll(
  flows: Iterable<ofpFlowStats>,
  topology: Topology,
  groups: GroupLookup,
  meters: MeterLookup
): number {
  const devices = new Map<string, Map<string, ofpFlowStats>>();
  for (const f of flows) {
    const o = decomposeFlowDetailed(f, topology, groups, meters);
    if (!o.ok) continue;
    for (const [d, list] of o.devices) {
      let m = devices.get(d);
      if (m === undefined) devices.set(d, (m = new Map()));
      for (const x of list) if (!m.has(x.id)) m.set(x.id, x);
    }
  }
  return devices.size;
}

function runBaseline(limit: number): { perModAt: (n: number) => number; total: number } {
  const { tables, engine } = setup();
  const topo = engine.topology;
  const costs = new Float64Array(limit);
  let total = 0;
  for (let i = 0; i < limit; i++) {
    const t0 = performance.now();
    tables.applyFlowMod(mods[i]);
    recomputeAll(tables.flows.values(), topo, tables.groups, tables.meters);
    costs[i] = performance.now() - t0;
    total += costs[i];
  }
  return {
    total,
    perModAt: (n: number) => {
      let s = 0;
      for (let j = n - 50; j < n; j++) s += costs[j];
      return s / 50;
    }
  };
}

function recomputeCostAt(sizes: number[]): Map<number, number> {
  const { tables, engine } = setup();
  for (const m of mods) tables.applyFlowMod(m);
  const all = tables.flows.toArray();
  const out = new Map<number, number>();
  for (const n of sizes) {
    const prefix = all.slice(0, n);
    const reps = n <= 2000 ? 10 : 3;
    recomputeAll(prefix, engine.topology, tables.groups, tables.meters);
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) recomputeAll(prefix, engine.topology, tables.groups, tables.meters);
    out.set(n, (performance.now() - t0) / reps);
  }
  return out;
}

const us = (ms: number): string => `${(ms * 1000).toFixed(1)} us`;
const fmtS = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

console.log(
  `workload: ${SUBSCRIBERS} subscribers x 5 flows = ${N} flow-mods (EAPOL/DHCP/IGMP traps, upstream table-0, downstream table-0), topology 2 NNI x 8 PON x 64 ONU x 4 UNI`
);
runIncremental(); // warm-up
const inc = runIncremental();
console.log(
  `\nincremental (openflow table semantics + DecompositionEngine), ${inc.deviceFlows} device flows at the end:`
);
for (const n of CHECKPOINTS) {
  console.log(
    `  after ${String(n).padStart(5)} mods: total ${fmtS(inc.cumulative.get(n) ?? 0)}, mean ${us((inc.cumulative.get(n) ?? 0) / n)}/mod; last-500 window ${us(inc.window.get(n) ?? 0)}/mod`
  );
}
const c1 = inc.cumulative.get(1000) ?? NaN;
const c10 = inc.cumulative.get(10000) ?? NaN;
const w1 = inc.window.get(1000) ?? NaN;
const w10 = inc.window.get(10000) ?? NaN;
console.log(
  `  t(10k)/t(1k) total time: ${(c10 / c1).toFixed(2)} (target <= 12; 10 = linear); per-flow ratio: ${(w10 / w1).toFixed(2)} (1 = O(1) per mod)`
);

const FULL = 1000;
const base = runBaseline(FULL);
const recompute = recomputeCostAt([1000, 2500, 5000, 10000]);
const xs = [...recompute.keys()];
const ys = xs.map((x) => recompute.get(x) ?? 0);
const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
const my = ys.reduce((a, b) => a + b, 0) / ys.length;
const slope =
  xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
const icept = my - slope * mx;
const estTotal = (n: number): number => n * icept + (slope * n * (n + 1)) / 2;
console.log(`\nbaseline (1.x model: flow-mod applied, then the whole table decomposed again):`);
console.log(
  `  ran the first ${FULL} mods for real: ${fmtS(base.total)}; per-mod cost at 1k (mean of mods 951-1000) ${fmtS(base.perModAt(FULL))}`
);
console.log(`  one whole-table recompute measured at ${xs.map((x, i) => `${x}: ${fmtS(ys[i])}`).join(', ')}`);
console.log(
  `  extrapolation: cost(n) = ${us(icept)} + ${us(slope)} x n (least squares over those sizes); installing ${N} flows one mod at a time = sum of cost(1..${N}) ~ ${fmtS(estTotal(N))} (not run)`
);
const b10 = recompute.get(10000) ?? NaN;
console.log(
  `\nper-flow at 10k: incremental ${us(w10)} vs baseline ${fmtS(b10)} (one full recompute of 10k flows, measured) -> speedup ${(b10 / w10).toFixed(0)}x (target >= 100x)`
);
console.log(
  `total for ${N} mods: incremental ${fmtS(inc.cumulative.get(10000) ?? 0)} (to 10k) vs baseline ~${fmtS(estTotal(10000))} (extrapolated) -> ${(estTotal(10000) / c10).toFixed(0)}x`
);
