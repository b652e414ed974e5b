import { execFileSync } from 'node:child_process';

import { startEtcd, startKafkaMock } from '@voltha/testing';
import type { EtcdHarness, KafkaMock } from '@voltha/testing';

import { eventually, Stack } from './stack';

/**
 * The 1.x cold PON activation sequence (adapters-api.md §2.5) across the real processes, with the
 * flow expectations of the 2.x decomposition rules: the EAPOL trap of each UNI gives one OLT flow per
 * UNI with tunnel_id = that UNI's port, and one flow on each ONU; the adapter receives them.
 */

const EAPOL = 0x888e;
const CONTROLLER = 0x7ffffffd;

interface Flow {
  id?: string;
  table_id?: number;
  tableId?: number;
  priority: number;
  match: {
    oxm_fields?: Array<{ ofb_field: Record<string, unknown> }>;
    oxmFields?: Array<{ ofbField: Record<string, unknown> }>;
  };
}

function tunnelIdOf(flow: Flow): string | undefined {
  const fields =
    flow.match.oxm_fields?.map((f) => f.ofb_field) ?? flow.match.oxmFields?.map((f) => f.ofbField) ?? [];
  const t = fields.find((f) => f.type === 'OFPXMT_OFB_TUNNEL_ID' || f.type === 38);
  return t ? String(t.tunnel_id ?? t.tunnelId) : undefined;
}

const eapolTrap = (uni: number) => ({
  command: 0,
  table_id: 0,
  priority: 1000,
  match: {
    type: 1,
    oxm_fields: [
      { oxm_class: 0x8000, ofb_field: { type: 0, port: uni } },
      { oxm_class: 0x8000, ofb_field: { type: 6, vlan_vid: 0x1000 } },
      { oxm_class: 0x8000, ofb_field: { type: 5, eth_type: EAPOL } }
    ]
  },
  instructions: [
    { type: 4, actions: { actions: [{ type: 0, output: { port: CONTROLLER, max_len: 0xffe5 } }] } }
  ]
});

describe('variant 1: embedded defaults, through the REST gateway', () => {
  const stack = new Stack({ gateway: true });
  beforeAll(() => stack.start(), 120_000);
  afterAll(() => stack.stop());

  it('should activate a PON cold and decompose the EAPOL traps by the 2.x rules', async () => {
    try {
      // 1. GET /api/v1
      const voltha = await stack.rest('GET', '/api/v1');
      expect(voltha.status).toBe(200);
      // 2. create the OLT
      const created = await stack.rest('POST', '/api/v1/devices', {
        type: 'simulated_olt',
        mac_address: '00:00:00:00:00:01'
      });
      expect(created.status).toBe(200);
      const oltId: string = created.json.id;
      // 3. PREPROVISIONED / UNKNOWN, adapter simulated_olt
      const got = await stack.rest('GET', `/api/v1/devices/${oltId}`);
      expect(got.json).toMatchObject({
        adapter: 'simulated_olt',
        admin_state: 'PREPROVISIONED',
        oper_status: 'UNKNOWN'
      });
      // 4. enable: ENABLED, then ACTIVE, REACHABLE, an image version, 2 ports
      expect((await stack.rest('POST', `/api/v1/devices/${oltId}/enable`)).status).toBe(200);
      const olt = await eventually('OLT ACTIVE', async () => {
        const d = (await stack.rest('GET', `/api/v1/devices/${oltId}`)).json;
        return d.oper_status === 'ACTIVE' ? d : undefined;
      });
      expect(olt).toMatchObject({ admin_state: 'ENABLED', connect_status: 'REACHABLE' });
      expect(olt.images.image[0].version).not.toBe('');
      expect((await stack.rest('GET', `/api/v1/devices/${oltId}/ports`)).json.items).toHaveLength(2);
      // 5. the logical device and its NNI port
      const ldId: string = olt.parent_id;
      const ld = (await stack.rest('GET', `/api/v1/logical_devices/${ldId}`)).json;
      expect(ld.root_device_id).toBe(oltId);
      const nni = (await stack.rest('GET', `/api/v1/logical_devices/${ldId}/ports`)).json.items[0];
      expect(nni).toMatchObject({ id: 'nni', device_port_no: 2, ofp_port: { port_no: 129, name: 'nni' } });
      // 6. the ONUs come ENABLED / ACTIVE
      const onus = await eventually('4 ONUs ACTIVE', async () => {
        const all = (await stack.rest('GET', '/api/v1/devices')).json.items as Array<Record<string, string>>;
        const children = all.filter((d) => d.parent_id === oltId);
        return children.length === 4 &&
          children.every((d) => d.admin_state === 'ENABLED' && d.oper_status === 'ACTIVE')
          ? children
          : undefined;
      });
      // 7. at least 5 logical ports, all LIVE
      const lports = await eventually('5 logical ports', async () => {
        const items = (await stack.rest('GET', `/api/v1/logical_devices/${ldId}/ports`)).json.items as Array<{
          ofp_port: { port_no: number; state: number };
        }>;
        return items.length >= 5 ? items : undefined;
      });
      expect(lports.every((p) => p.ofp_port.state === 4)).toBe(true);
      const unis = lports
        .map((p) => p.ofp_port.port_no)
        .filter((n) => n !== 129)
        .sort((a, b) => a - b);
      expect(unis).toEqual([101, 102, 103, 104]);
      // 8. an EAPOL trap per UNI
      for (const uni of unis) {
        const r = await stack.rest('POST', `/api/v1/logical_devices/${ldId}/flows`, {
          id: ldId,
          flow_mod: eapolTrap(uni)
        });
        expect(r.status).toBe(200);
      }
      expect(
        (await stack.rest('GET', `/api/v1/logical_devices/${ldId}/flows`)).json.items.length
      ).toBeGreaterThanOrEqual(4);
      // 2.x rules: one OLT flow per UNI with tunnel_id = that UNI's port
      const oltFlows = await eventually('4 OLT flows', async () => {
        const items = (await stack.rest('GET', `/api/v1/devices/${oltId}/flows`)).json.items as Flow[];
        return items.length === 4 ? items : undefined;
      });
      expect(oltFlows.map(tunnelIdOf).sort()).toEqual(unis.map(String));
      expect(oltFlows.every((f) => f.priority === 1000)).toBe(true);
      // ... and one flow on each ONU
      for (const onu of onus) {
        await eventually(`1 flow on ONU ${onu.id}`, async () =>
          (await stack.rest('GET', `/api/v1/devices/${onu.id}/flows`)).json.items.length === 1
            ? true
            : undefined
        );
      }
      // the adapters received them
      await eventually('the OLT adapter received its flows', async () => {
        const r = await stack.agent.call<{ items: unknown[] }>('ListReceivedFlows', { id: oltId });
        return r.items.length === 4 ? true : undefined;
      });
      for (const onu of onus) {
        await eventually('the ONU adapter received its flow', async () => {
          const r = await stack.agent.call<{ items: unknown[] }>('ListReceivedFlows', { id: onu.id });
          return r.items.length === 1 ? true : undefined;
        });
      }
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- service logs ---\n${stack.logs()}`);
    }
  });
});

describe('variant 2: etcd and Kafka (librdkafka mock cluster), checked by kcat', () => {
  let etcd: EtcdHarness;
  let kafka: KafkaMock;
  let stack: Stack;

  beforeAll(async () => {
    etcd = await startEtcd();
    kafka = await startKafkaMock({ brokers: 3 });
    stack = new Stack({
      kafka: kafka.bootstrapServers,
      coreArgs: ['--backend', 'etcd', '--etcd', etcd.address]
    });
    await stack.start();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await kafka?.stop();
    await etcd?.stop();
  });

  it('should activate a PON cold, decompose the EAPOL traps, and carry every change on voltha.events', async () => {
    try {
      const created = await stack.voltha.call<{ id: string }>('CreateDevice', {
        type: 'simulated_olt',
        macAddress: '00:00:00:00:00:02'
      });
      await stack.voltha.call('EnableDevice', { id: created.id });
      const olt = await eventually('OLT ACTIVE', async () => {
        const d = await stack.voltha.call<{ operStatus: number; parentId: string }>('GetDevice', {
          id: created.id
        });
        return d.operStatus === 4 ? d : undefined;
      });
      const onus = await eventually('4 ONUs ACTIVE', async () => {
        const { items } = await stack.voltha.call<{
          items: Array<{ id: string; parentId: string; operStatus: number }>;
        }>('ListDevices');
        const children = items.filter((d) => d.parentId === created.id);
        return children.length === 4 && children.every((d) => d.operStatus === 4) ? children : undefined;
      });
      const unis = await eventually('UNI ports', async () => {
        const { items } = await stack.voltha.call<{
          items: Array<{ ofpPort: { portNo: number }; rootPort: boolean }>;
        }>('ListLogicalDevicePorts', { id: olt.parentId });
        const u = items.filter((p) => !p.rootPort).map((p) => p.ofpPort.portNo);
        return u.length === 4 ? u : undefined;
      });
      for (const uni of unis) {
        const mod = eapolTrap(uni);
        await stack.voltha.call('UpdateLogicalDeviceFlowTable', {
          id: olt.parentId,
          flowMod: {
            command: 0,
            tableId: 0,
            priority: 1000,
            match: {
              type: 1,
              oxmFields: mod.match.oxm_fields.map((f) => ({
                oxmClass: f.oxm_class,
                ofbField: {
                  type: f.ofb_field.type,
                  port: f.ofb_field.port,
                  vlanVid: f.ofb_field.vlan_vid,
                  ethType: f.ofb_field.eth_type
                }
              }))
            },
            instructions: [
              { type: 4, actions: { actions: [{ type: 0, output: { port: CONTROLLER, maxLen: 0xffe5 } }] } }
            ]
          }
        });
      }
      const oltFlows = await eventually('4 OLT flows', async () => {
        const { items } = await stack.voltha.call<{ items: Flow[] }>('ListDeviceFlows', { id: created.id });
        return items.length === 4 ? items : undefined;
      });
      expect(oltFlows.map(tunnelIdOf).sort()).toEqual(unis.map(String).sort());
      for (const onu of onus) {
        await eventually('1 flow per ONU', async () =>
          (await stack.voltha.call<{ items: unknown[] }>('ListDeviceFlows', { id: onu.id })).items.length ===
          1
            ? true
            : undefined
        );
      }

      // An independent consumer: kcat reads voltha.events from the beginning.
      const lines = await eventually('the changes on voltha.events', async () => {
        const out = execFileSync(
          'kcat',
          [
            '-b',
            kafka.bootstrapServers,
            '-C',
            '-t',
            'voltha.events',
            '-o',
            'beginning',
            '-e',
            '-q',
            '-f',
            '%k\t%s\n'
          ],
          {
            encoding: 'utf8',
            timeout: 20_000,
            maxBuffer: 64 * 1024 * 1024
          }
        );
        const parsed = out
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [key, json] = [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)];
            return {
              key,
              event: JSON.parse(json) as { type: string; path: string; key: string; data: string }
            };
          });
        const oltFlowAdds = parsed.filter(
          (p) => p.event.type === 'add' && p.event.path.startsWith(`/devices/${created.id}/flows/items/`)
        );
        return oltFlowAdds.length >= 4 ? parsed : undefined;
      });
      const events = lines.map((l) => l.event);
      expect(events.some((e) => e.type === 'add' && e.path === `/devices/${created.id}`)).toBe(true);
      expect(
        events.some(
          (e) =>
            e.type === 'update' &&
            e.path === `/devices/${created.id}` &&
            JSON.parse(e.data).oper_status === 'ACTIVE'
        )
      ).toBe(true);
      for (const onu of onus)
        expect(events.some((e) => e.type === 'add' && e.path === `/devices/${onu.id}`)).toBe(true);
      expect(
        events.filter((e) => e.path.startsWith(`/logical_devices/${olt.parentId}/flows/items/`))
      ).toHaveLength(4);
      // keyed by the owning device
      expect(
        lines
          .filter((l) => l.event.path.startsWith('/devices/'))
          .every((l) => l.key === l.event.key && l.key !== '')
      ).toBe(true);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- service logs ---\n${stack.logs()}`);
    }
  });
});
