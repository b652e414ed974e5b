import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';

import { KAFKA_TOPICS } from '@voltha/kafka-events';
import { startKafkaMock } from '@voltha/testing';
import type { KafkaMock } from '@voltha/testing';

import { AdapterAgentProcess, CoreConfigProcess, eventually } from './support/processes';
import { Pon } from './support/pon';

jest.setTimeout(120_000);

/** With --kafka: change events come from voltha.events, KPIs and alarms go to voltha.kpis / voltha.alarms. */
describe('adapter-agent with Kafka (librdkafka mock cluster)', () => {
  let mock: KafkaMock;
  let core: CoreConfigProcess;
  let agent: AdapterAgentProcess;
  let consumer: Consumer | undefined;
  const received = new Map<string, { key: string; value: Record<string, unknown> }[]>();

  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 1 });
    core = new CoreConfigProcess(['--backend', 'none', '--kafka', mock.bootstrapServers]);
    await core.start();
    agent = new AdapterAgentProcess(core.address, [
      '--kafka',
      mock.bootstrapServers,
      '--kpi-interval',
      '300',
      '--alarm-interval',
      '300'
    ]);
    await agent.start();
    const kafka = new Kafka({
      clientId: 'agent-test',
      brokers: [...mock.brokers],
      logLevel: logLevel.NOTHING
    });
    consumer = kafka.consumer({ groupId: `agent-test-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [KAFKA_TOPICS.kpis, KAFKA_TOPICS.alarms], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const list = received.get(topic) ?? [];
        list.push({ key: String(message.key ?? ''), value: JSON.parse(String(message.value)) });
        received.set(topic, list);
      }
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    const code = await agent?.stop();
    await core?.dispose();
    await mock?.stop();
    expect(code).toBe(0); // graceful shutdown on SIGTERM
  });

  it('activates a 1 x 4 OLT from the events of voltha.events', async () => {
    const pon = new Pon(core.voltha);
    const oltId = await pon.createOlt();
    await pon.call('EnableDevice', oltId);
    const s = await pon.waitActive(oltId, 4, 60_000);
    expect(s.logicalPorts.map((p) => p.id)).toEqual(['101', '102', '103', '104', 'nni']);
  });

  it('publishes the OLT KPIs on voltha.kpis and its alarms on voltha.alarms, keyed by device id', async () => {
    const [olt] = (await new Pon(core.voltha).devices()).filter((d) => d.root);
    const kpi = await eventually(
      'a KPI slice',
      async () => received.get(KAFKA_TOPICS.kpis)?.find((m) => m.key === olt.id),
      30_000
    );
    expect(Object.keys(kpi.value.prefixes as object)).toEqual(
      expect.arrayContaining([`voltha.simulated_olt.${olt.id}`, `voltha.simulated_olt.${olt.id}.nni`])
    );
    const alarm = await eventually(
      'an alarm',
      async () => received.get(KAFKA_TOPICS.alarms)?.find((m) => m.key === olt.id),
      30_000
    );
    expect(alarm.value).toMatchObject({ resource_id: olt.id });
    expect(String(alarm.value.description)).toContain('Simulated alarm');
  });
});
