/**
 * `npm run demo`: shows the running stack (`npm start`) at work.
 *   1. provisions a simulated OLT with 16 PONs x 32 ONUs and enables it;
 *   2. waits until every ONU is ACTIVE;
 *   3. installs subscriber flows in the pattern of the ONOS olt app (EAPOL, DHCP and IGMP traps, data
 *      up and down, with bandwidth meters) on every UNI, and waits for the device flows;
 * with progress bars and a summary table. Flags: --core host:port (default localhost:50057),
 * --pon-ports N, --onus-per-pon N, --concurrency N.
 */
import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { subscriberFlowMods } from '@voltha/openflow';
import { GRPC_LOADER_OPTIONS, protoPath } from '@voltha/proto';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const CORE = flag('--core', process.env.VOLTHA ?? 'localhost:50057');
const PONS = Number(flag('--pon-ports', '16'));
const ONUS = Number(flag('--onus-per-pon', '32'));
const CONCURRENCY = Number(flag('--concurrency', '32'));

type Unary = (
  req: unknown,
  md: Metadata,
  opts: { deadline: Date },
  cb: (e: ServiceError | null, r: unknown) => void
) => void;
const definition = loadSync(protoPath('voltha_service.proto'), GRPC_LOADER_OPTIONS);
const pkg = loadPackageDefinition(definition) as unknown as {
  voltha: { VolthaService: new (a: string, c: unknown) => Client };
};
const client = new pkg.voltha.VolthaService(CORE, credentials.createInsecure());
function call<T>(method: string, request: unknown = {}, timeoutMs = 30_000): Promise<T> {
  const fn = (client as unknown as Record<string, Unary>)[method];
  return new Promise<T>((resolve, reject) =>
    fn.call(client, request, new Metadata(), { deadline: new Date(Date.now() + timeoutMs) }, (e, r) =>
      e ? reject(e) : resolve(r as T)
    )
  );
}

interface DeviceJson {
  id: string;
  parentId: string;
  operStatus: number;
  root: boolean;
}
interface LogicalPortJson {
  id: string;
  rootPort: boolean;
  ofpPort: { portNo: number };
}

const tty = process.stdout.isTTY;
function bar(label: string, done: number, total: number, started: number): void {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const line = `${label.padEnd(26)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(5)}/${total}  ${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (tty) process.stdout.write(`\r${line}`);
  else if (done === total || done % Math.max(1, Math.floor(total / 10)) === 0)
    process.stdout.write(`${line}\n`);
}
const endBar = (): void => {
  if (tty) process.stdout.write('\n');
};

async function pool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
  progress: () => void
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function main(): Promise<void> {
  try {
    await call('GetVoltha', {}, 5000);
  } catch (e) {
    process.stderr.write(
      `demo: cannot reach core-config at ${CORE} (${(e as ServiceError).details ?? (e as Error).message}); start the stack first with 'npm start'\n`
    );
    process.exit(1);
  }
  const total = PONS * ONUS;
  process.stdout.write(
    `Provisioning a simulated OLT with ${PONS} PON ports x ${ONUS} ONUs (${total} ONUs) on ${CORE}\n`
  );
  const mac = `0a:00:00:${[1, 2, 3]
    .map(() =>
      Math.floor(Math.random() * 256)
        .toString(16)
        .padStart(2, '0')
    )
    .join(':')}`;
  const t0 = Date.now();
  const olt = await call<DeviceJson>('CreateDevice', {
    type: 'simulated_olt',
    macAddress: mac,
    extraArgs: `--pon-ports ${PONS} --onus-per-pon ${ONUS}`
  });
  await call('EnableDevice', { id: olt.id });

  // 2. wait for every ONU to be ACTIVE
  let active = 0;
  let oltDevice: DeviceJson = olt;
  for (;;) {
    const { items } = await call<{ items: DeviceJson[] }>('ListDevices');
    oltDevice = items.find((d) => d.id === olt.id) ?? olt;
    active = items.filter((d) => d.parentId === olt.id && d.operStatus === 4).length;
    bar('ONUs ACTIVE', active, total, t0);
    if (active >= total && oltDevice.operStatus === 4) break;
    if (Date.now() - t0 > 600_000) throw new Error(`only ${active}/${total} ONUs ACTIVE after 10 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
  endBar();
  const activationSeconds = (Date.now() - t0) / 1000;
  const ld = oltDevice.parentId;

  // 3. meters and subscriber flows
  const { items: ports } = await call<{ items: LogicalPortJson[] }>('ListLogicalDevicePorts', { id: ld });
  const nni = ports.find((p) => p.rootPort)?.ofpPort.portNo ?? 0;
  const unis = ports.filter((p) => !p.rootPort).map((p) => p.ofpPort.portNo);
  for (const [meterId, rate] of [
    [1, 100_000],
    [2, 1_000_000]
  ]) {
    await call('UpdateLogicalDeviceMeterTable', {
      id: ld,
      meterMod: { command: 0, flags: 1 | 4, meterId, bands: [{ type: 1, rate, burstSize: 1000 }] }
    }).catch((e: ServiceError) => {
      if (!/exists/i.test(e.details ?? '')) throw e;
    });
  }
  const mods = unis.flatMap((uni, i) =>
    subscriberFlowMods({ uni, nni, cTag: 100 + (i % 3000), sTag: 1 + i })
  );
  const t1 = Date.now();
  let sent = 0;
  await pool(
    mods,
    CONCURRENCY,
    async (mod) => {
      await call('UpdateLogicalDeviceFlowTable', { id: ld, flowMod: mod });
    },
    () => bar('logical flows installed', ++sent, mods.length, t1)
  );
  endBar();
  const flowSeconds = (Date.now() - t1) / 1000;

  // wait for the flow-decomposer to fill the device tables (until the OLT's table stops growing)
  const t2 = Date.now();
  let oltFlows = 0;
  let previous = -1;
  let stableSince = Date.now();
  for (;;) {
    oltFlows = (await call<{ items: unknown[] }>('ListDeviceFlows', { id: olt.id })).items.length;
    if (oltFlows !== previous) {
      previous = oltFlows;
      stableSince = Date.now();
      const line = `OLT device flows           ${String(oltFlows).padStart(5)}  ${((Date.now() - t2) / 1000).toFixed(1)} s`;
      process.stdout.write(tty ? `\r${line}` : `${line}\n`);
    }
    if (oltFlows > 0 && Date.now() - stableSince > 2000) break;
    if (Date.now() - t2 > 120_000) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  endBar();
  const onus = (await call<{ items: DeviceJson[] }>('ListDevices')).items.filter(
    (d) => d.parentId === olt.id
  );
  let onuFlows = 0;
  for (const onu of onus.slice(0, 64))
    onuFlows += (await call<{ items: unknown[] }>('ListDeviceFlows', { id: onu.id })).items.length;
  const onuFlowsEstimate = onus.length > 64 ? Math.round((onuFlows / 64) * onus.length) : onuFlows;

  const rows: Array<[string, string]> = [
    ['OLT device id', olt.id],
    ['logical device id', ld],
    ['PON ports x ONUs per PON', `${PONS} x ${ONUS}`],
    ['ONUs ACTIVE', `${active}/${total}`],
    ['EnableDevice -> last ONU ACTIVE', `${activationSeconds.toFixed(1)} s`],
    ['UNI logical ports', String(unis.length)],
    ['logical flows installed', String(mods.length)],
    ['flow install rate', `${(mods.length / flowSeconds).toFixed(0)} flow-mods/s`],
    ['OLT device flows', String(oltFlows)],
    [`ONU device flows${onus.length > 64 ? ' (estimated from 64 ONUs)' : ''}`, String(onuFlowsEstimate)]
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(
    `\n${'-'.repeat(w + 24)}\n${rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n')}\n${'-'.repeat(w + 24)}\n`
  );
  client.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`\ndemo: ${(e as ServiceError).details ?? (e as Error).message}\n`);
  process.exit(1);
});
