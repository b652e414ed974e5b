import { startKafkaMock } from '@voltha/testing';
import type { KafkaMock } from '@voltha/testing';
import type { ofpFlowStats } from '@voltha/proto';

import { deleteStrict, eapolTrap } from './support/flows';
import { PonTestAdapter } from './support/pon-adapter';
import type { OltInfo } from './support/pon-adapter';
import { CoreConfigProcess, DecomposerProcess, waitFor } from './support/processes';

jest.setTimeout(90_000);

interface Stats {
  logicalFlows: number;
  deviceFlows: number;
  failedFlows: number;
  eventsProcessed: string;
  batchesWritten: string;
  eventSource: string;
}

describe('flow-decomposer end to end (events from Kafka)', () => {
  let kafka: KafkaMock;
  let core: CoreConfigProcess;
  let decomposer: DecomposerProcess;
  let adapter: PonTestAdapter;
  let olt: OltInfo;

  const deviceFlows = async (id: string): Promise<ofpFlowStats[]> =>
    (await core.voltha.call<{ items: ofpFlowStats[] }>('ListDeviceFlows', { id })).items;
  const flowMod = (mod: unknown): Promise<unknown> =>
    core.voltha.call('UpdateLogicalDeviceFlowTable', { id: olt.ldId, flowMod: mod });
  const settle = (oltCount: number, onuCount: number): Promise<unknown> =>
    waitFor(
      'device tables',
      async () => {
        if ((await deviceFlows(olt.id)).length !== oltCount) return undefined;
        for (const onu of olt.onus) if ((await deviceFlows(onu.id)).length !== onuCount) return undefined;
        return true;
      },
      30_000
    );
  const kafkaArgs = (instance: string): string[] => [
    '--kafka',
    kafka.bootstrapServers,
    '--instance-id',
    instance,
    '--kafka-max-wait',
    '50',
    '--batch-wait-ms',
    '2'
  ];

  beforeAll(async () => {
    kafka = await startKafkaMock({ brokers: 1 });
    core = new CoreConfigProcess(['--kafka', kafka.bootstrapServers, '--backend', 'none']);
    await core.start();
    decomposer = new DecomposerProcess(core.address, kafkaArgs('kafka-a'));
    await decomposer.start();
    adapter = new PonTestAdapter(core.config, { pons: 1, onusPerPon: 2 });
    await adapter.register();
    const created = await core.voltha.call<{ id: string }>('CreateDevice', {
      type: 'test_olt',
      hostAndPort: 'olt:1'
    });
    await core.voltha.call('EnableDevice', { id: created.id });
    olt = await adapter.activated(created.id);
  });

  afterAll(async () => {
    adapter?.stop();
    await decomposer?.stop();
    await core?.dispose();
    await kafka?.stop();
  });

  it('should decompose the EAPOL traps from the events on voltha.events, and follow deletes', async () => {
    for (const onu of olt.onus) await flowMod(eapolTrap(onu.uni));
    await settle(2, 1);
    const s = await decomposer.api.call<Stats>('GetStats', {});
    expect(s).toMatchObject({ eventSource: 'kafka', logicalFlows: 2, deviceFlows: 4, failedFlows: 0 });
    await flowMod(deleteStrict(eapolTrap(olt.onus[0].uni)));
    await waitFor(
      'OLT flow removed',
      async () => ((await deviceFlows(olt.id)).length === 1 ? true : undefined),
      30_000
    );
    await flowMod(eapolTrap(olt.onus[0].uni));
    await settle(2, 1);
  });

  it('should write nothing when a new consumer group reads the whole topic again', async () => {
    await decomposer.stop();
    // A new instance (new group, from the beginning): every retained event is delivered again.
    decomposer = new DecomposerProcess(core.address, kafkaArgs('kafka-b'));
    await decomposer.start();
    await waitFor(
      'the history read again',
      async () => {
        const m = /flow_decomposer_stale_events_total (\d+)/.exec(await decomposer.metrics());
        return m && Number(m[1]) >= 10 ? true : undefined;
      },
      30_000
    );
    const s = await decomposer.api.call<Stats>('GetStats', {});
    expect(s).toMatchObject({ logicalFlows: 2, deviceFlows: 4, batchesWritten: '0' });
    await settle(2, 1);
  });
});
