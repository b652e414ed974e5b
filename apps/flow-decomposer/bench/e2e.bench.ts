/**
 * Figure 3 of `npm run bench:flows`: flows end to end through the services. core-config (embedded
 * backend) and flow-decomposer run as processes; a test adapter builds 16 PON x 128 ONU (2,048
 * subscribers, one UNI each) through ConfigService; then 2,048 x 5 = 10,240 logical flows (EAPOL,
 * DHCP and IGMP traps, upstream and downstream data flows) are sent through
 * VolthaService.UpdateLogicalDeviceFlowTable with bounded concurrency, and the clock runs from the
 * first flow-mod until the device tables in core-config hold the complete result.
 *   npx tsx --tsconfig tsconfig.base.json apps/flow-decomposer/bench/e2e.bench.ts [--concurrency 32] [--batch-wait-ms 20]
 * `--without-decomposer 1`: the same workload with core-config alone (reference: what it accepts).
 */
import { performance } from 'node:perf_hooks';

import { flowStatsFromFlowMod } from '@voltha/openflow';
import type { ofpFlowMod, ofpFlowStats } from '@voltha/proto';

import { buildEngine } from '../src/decomposer/build';
import { subscriberFlowMods } from '../test/support/flows';
import { NNI_LOGICAL_PORT, ONU_PON_PORT, ONU_UNI_PORT, PonTestAdapter } from '../test/support/pon-adapter';
import type { OltInfo } from '../test/support/pon-adapter';
import { CoreConfigProcess, DecomposerProcess, waitFor } from '../test/support/processes';

const PONS = 16;
const ONUS_PER_PON = 128;
const UNI_BASE = 256;
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const CONCURRENCY = arg('concurrency', 32);
const BATCH_WAIT_MS = arg('batch-wait-ms', 20);
const WITHOUT_DECOMPOSER = arg('without-decomposer', 0) === 1;

interface Stats {
  logicalFlows: number;
  deviceFlows: number;
  failedFlows: number;
  eventsProcessed: string;
  batchesWritten: string;
  lastSeq: string;
}

/** What the device tables must hold at the end, computed with the library on the same topology. */
function expectedDeviceFlows(
  olt: OltInfo,
  mods: readonly ofpFlowMod[]
): { total: number; perDevice: Map<string, number> } {
  const nniDevicePort = PONS + 1;
  const engine = buildEngine({
    rootDeviceId: olt.id,
    logicalPorts: [
      {
        ofpPort: { portNo: NNI_LOGICAL_PORT },
        deviceId: olt.id,
        devicePortNo: nniDevicePort,
        rootPort: true
      },
      ...olt.onus.map((o) => ({
        ofpPort: { portNo: o.uni },
        deviceId: o.id,
        devicePortNo: ONU_UNI_PORT,
        rootPort: false
      }))
    ],
    devices: [
      {
        id: olt.id,
        root: true,
        ports: [
          ...Array.from({ length: PONS }, (_, p) => ({ portNo: p + 1, type: 3, peers: [] })),
          { portNo: nniDevicePort, type: 1, peers: [] }
        ]
      },
      ...olt.onus.map((o) => ({
        id: o.id,
        root: false,
        ports: [
          { portNo: ONU_PON_PORT, type: 4, peers: [{ deviceId: olt.id, portNo: o.pon }] },
          { portNo: ONU_UNI_PORT, type: 2, peers: [] }
        ]
      }))
    ],
    flows: mods.map((m) => flowStatsFromFlowMod(m)),
    groups: [],
    meters: []
  });
  if (engine.failedFlows().length > 0)
    throw new Error(`expected result has failures: ${engine.failedFlows()[0].error.message}`);
  let total = 0;
  const perDevice = new Map<string, number>();
  for (const [id, s] of engine.snapshot()) {
    total += s.flows.size;
    perDevice.set(id, s.flows.size);
  }
  return { total, perDevice };
}

async function coreSeq(core: CoreConfigProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${core.probePort}/metrics`)).text();
  return Number(/^voltha_config_seq (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const core = new CoreConfigProcess(['--backend', 'embedded']);
  let decomposer: DecomposerProcess | undefined;
  let adapter: PonTestAdapter | undefined;
  const stopAll = async (): Promise<void> => {
    adapter?.stop();
    await decomposer?.stop();
    await core.dispose();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    await core.start();
    const dec = new DecomposerProcess(core.address, ['--batch-wait-ms', String(BATCH_WAIT_MS)]);
    if (!WITHOUT_DECOMPOSER) {
      decomposer = dec;
      await dec.start();
    }

    // Topology: 16 PON x 128 ONU, one UNI each
    let t = performance.now();
    adapter = new PonTestAdapter(core.config, { pons: PONS, onusPerPon: ONUS_PER_PON, uniBase: UNI_BASE });
    await adapter.register();
    const created = await core.voltha.call<{ id: string }>('CreateDevice', {
      type: 'test_olt',
      hostAndPort: 'bench-olt:1'
    });
    await core.voltha.call('EnableDevice', { id: created.id });
    const olt = await adapter.activated(created.id);
    const seq = await coreSeq(core);
    if (decomposer)
      await waitFor(
        'decomposer caught up with the topology',
        async () => {
          const s = await dec.api.call<Stats>('GetStats', {});
          return Number(s.lastSeq) >= seq ? s : undefined;
        },
        120_000,
        100
      );
    const topoMs = performance.now() - t;

    const mods: ofpFlowMod[] = [];
    olt.onus.forEach((o, s) => mods.push(...subscriberFlowMods(s, o.uni, olt.nni)));
    const expected = expectedDeviceFlows(olt, mods);
    const before = decomposer ? await dec.api.call<Stats>('GetStats', {}) : undefined;
    console.log(
      `topology: 1 OLT, ${PONS} PON x ${ONUS_PER_PON} ONU = ${olt.onus.length} ONUs/UNIs built through ConfigService in ${(topoMs / 1000).toFixed(1)} s`
    );
    console.log(
      `workload: ${mods.length} flow-mods (5 per subscriber) through UpdateLogicalDeviceFlowTable, ${CONCURRENCY} in flight; expected ${expected.total} device flows (OLT ${expected.perDevice.get(olt.id)})`
    );

    // Install and time
    t = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < mods.length) {
        const mod = mods[next++];
        await core.voltha.call(
          'UpdateLogicalDeviceFlowTable',
          { id: olt.ldId, flowMod: mod },
          undefined,
          60_000
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const acceptedMs = performance.now() - t;
    if (!decomposer || !before) {
      console.log(
        `without flow-decomposer: flow-mods accepted by core-config in ${(acceptedMs / 1000).toFixed(2)} s (${Math.round(mods.length / (acceptedMs / 1000))} flow-mods/s)`
      );
      return;
    }
    const done = await waitFor(
      'device tables complete',
      async () => {
        const s = await dec.api.call<Stats>('GetStats', {});
        return s.deviceFlows >= expected.total && s.logicalFlows === mods.length ? s : undefined;
      },
      600_000,
      20
    );
    const totalMs = performance.now() - t;

    // Check in core-config itself
    const oltFlows = (
      await core.voltha.call<{ items: ofpFlowStats[] }>('ListDeviceFlows', { id: olt.id }, undefined, 60_000)
    ).items;
    if (oltFlows.length !== expected.perDevice.get(olt.id)) {
      throw new Error(`OLT holds ${oltFlows.length} flows, expected ${expected.perDevice.get(olt.id)}`);
    }
    const sampled = olt.onus.filter((_, i) => i % 64 === 0);
    for (const o of sampled) {
      const n = (await core.voltha.call<{ items: ofpFlowStats[] }>('ListDeviceFlows', { id: o.id })).items
        .length;
      if (n !== expected.perDevice.get(o.id))
        throw new Error(`ONU ${o.id} holds ${n} flows, expected ${expected.perDevice.get(o.id)}`);
    }
    if (done.failedFlows !== 0) throw new Error(`${done.failedFlows} failed flows`);

    const batches = Number(done.batchesWritten) - Number(before.batchesWritten);
    const events = Number(done.eventsProcessed) - Number(before.eventsProcessed);
    console.log(
      `flow-mods accepted by core-config: ${(acceptedMs / 1000).toFixed(2)} s (${Math.round(mods.length / (acceptedMs / 1000))} flow-mods/s)`
    );
    console.log(
      `device tables complete: ${(totalMs / 1000).toFixed(2)} s after the first flow-mod -> ${Math.round(mods.length / (totalMs / 1000))} logical flows/s, ${Math.round(expected.total / (totalMs / 1000))} device flows/s written`
    );
    console.log(
      `decomposer: ${events} events in ${batches} write transactions (${(events / Math.max(1, batches)).toFixed(0)} events per transaction), lag after the last flow-mod ${((totalMs - acceptedMs) / 1000).toFixed(2)} s; checked in core-config: OLT ${oltFlows.length} flows and ${sampled.length} sampled ONUs as expected`
    );
  } finally {
    await stopAll();
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
