/**
 * Benchmark (a): build the 32,768 routes of R3 (2 NNI × 8 PON × 256 ONU × 4 UNI) from a logical
 * device's ports and the devices' ports/peers. Target: <= 50 ms.
 *   npx tsx --tsconfig tsconfig.base.json libs/flow-decomposition/bench/routes.bench.ts
 */
import { performance } from 'node:perf_hooks';

import { Topology } from '../src';
import { buildPon, nniPort, uniPort } from '../test/fixtures';

const spec = { nnis: 2, pons: 8, onusPerPon: 256, unisPerOnu: 4 };
const fx = buildPon(spec);
const RUNS = 7;
const times: number[] = [];
let t: Topology | undefined;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  t = Topology.build(fx);
  times.push(performance.now() - t0);
}
if (t === undefined || t.routeCount !== 32768) throw new Error(`expected 32768 routes, got ${t?.routeCount}`);
if (t.route(nniPort(1), uniPort(spec, 7, 255, 3)) === undefined) throw new Error('missing route');

// incremental: one more ONU's 4 UNIs (4 × 2 NNIs × 2 directions = 16 routes)
const extra = buildPon({ ...spec, pons: 1, onusPerPon: 1 });
const t1 = performance.now();
let added = 0;
for (const lp of extra.logicalPorts.filter((x) => !x.rootPort)) {
  t.removeLogicalPort(lp.ofpPort?.portNo ?? 0);
  t.addLogicalPort(lp);
  added++;
}
const incr = performance.now() - t1;

const sorted = [...times].sort((a, b) => a - b);
console.log(
  `routes: ${t.routeCount} (2 NNI x 8 PON x 256 ONU x 4 UNI), ${fx.devices.length} devices, ${fx.logicalPorts.length} logical ports`
);
console.log(
  `build: first ${times[0].toFixed(1)} ms, median ${sorted[Math.floor(RUNS / 2)].toFixed(1)} ms, best ${sorted[0].toFixed(1)} ms over ${RUNS} runs (target <= 50 ms)`
);
console.log(
  `incremental: ${added} UNI ports removed and re-added in ${incr.toFixed(2)} ms (${((incr / added) * 1000).toFixed(0)} us per port)`
);
