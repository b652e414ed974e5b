import type { DeepPartial, Device } from '@voltha/proto';

import { SimulatedOltAdapter, type SimulatedOltOptions } from '../lib/simulated/simulated-olt';
import { SIMULATED_OLT_ADAPTER } from '../lib/simulated/simulated-common';
import { SIMULATED_ONU_ADAPTER, SimulatedOnuAdapter } from '../lib/simulated/simulated-onu';
import { type SimulatedTimings, ZERO_TIMINGS } from '../lib/simulated/simulated-options';
import { InMemoryCore, type InMemoryCoreOptions } from './in-memory-core';
import { seededRandom, VirtualScheduler } from './virtual-scheduler';

export interface SimulatedPonOptions {
  readonly core?: InMemoryCoreOptions;
  /** Defaults to ZERO_TIMINGS; fields given override it. */
  readonly timings?: Partial<SimulatedTimings>;
  readonly seed?: number;
  readonly olt?: Omit<SimulatedOltOptions, 'scheduler' | 'random' | 'timings' | 'onError'>;
}

/** An in-memory core with both simulated adapters on one virtual clock: what the unit tests run. */
export interface SimulatedPon {
  readonly core: InMemoryCore;
  readonly scheduler: VirtualScheduler;
  readonly olt: SimulatedOltAdapter;
  readonly onu: SimulatedOnuAdapter;
  /** Errors of background work of both adapters. */
  readonly backgroundErrors: { readonly error: unknown; readonly deviceId: string; readonly task: string }[];
  /** Runs everything due now (adapter calls in flight included).*/
  settle(): Promise<void>;
  /** Creates a simulated OLT (PREPROVISIONED). */
  createOlt(extraArgs?: string, request?: DeepPartial<Device>): Device;
  /** Creates an OLT, enables it and settles. */
  activateOlt(extraArgs?: string): Promise<Device>;
  /** Replaces both adapters by new instances (a crash: the old ones are stopped) and reconciles. */
  restartAdapters(): Promise<void>;
}

export async function createSimulatedPon(options: SimulatedPonOptions = {}): Promise<SimulatedPon> {
  const core = new InMemoryCore(options.core);
  const scheduler = new VirtualScheduler();
  const random = seededRandom(options.seed ?? 1);
  const timings = { ...ZERO_TIMINGS, ...options.timings };
  const backgroundErrors: { error: unknown; deviceId: string; task: string }[] = [];
  const common = {
    scheduler,
    random,
    timings,
    onError: (error: unknown, ctx: { deviceId: string; task: string }) =>
      backgroundErrors.push({ error, ...ctx })
  };
  const make = (): { olt: SimulatedOltAdapter; onu: SimulatedOnuAdapter } => ({
    olt: new SimulatedOltAdapter(core.agent(SIMULATED_OLT_ADAPTER), { ...options.olt, ...common }),
    onu: new SimulatedOnuAdapter(core.agent(SIMULATED_ONU_ADAPTER), common)
  });
  let adapters = make();
  await core.registerAdapter(adapters.olt);
  await core.registerAdapter(adapters.onu);

  /** Microtasks and due timers until quiet; adapter calls only wait on those, so they are done too. */
  const settle = (): Promise<void> => scheduler.settle();

  const pon: SimulatedPon = {
    core,
    scheduler,
    get olt() {
      return adapters.olt;
    },
    get onu() {
      return adapters.onu;
    },
    backgroundErrors,
    settle,
    createOlt: (extraArgs = '', request = {}) =>
      core.createDevice({
        type: SIMULATED_OLT_ADAPTER,
        macAddress: '00:00:00:00:00:01',
        extraArgs,
        ...request
      }),
    activateOlt: async (extraArgs = '') => {
      const olt = pon.createOlt(extraArgs, {
        macAddress: undefined,
        hostAndPort: `olt-${core.deviceCount + 1}:50060`
      });
      core.enableDevice(olt.id);
      await settle();
      return core.device(olt.id) as Device;
    },
    restartAdapters: async () => {
      await core.unregisterAdapter(SIMULATED_OLT_ADAPTER);
      await core.unregisterAdapter(SIMULATED_ONU_ADAPTER);
      adapters = make();
      await core.registerAdapter(adapters.olt);
      await core.registerAdapter(adapters.onu);
      await core.reconcile(SIMULATED_OLT_ADAPTER);
      await core.reconcile(SIMULATED_ONU_ADAPTER);
    }
  };
  return pon;
}
