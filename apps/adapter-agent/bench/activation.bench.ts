/**
 * ONU activation benchmark: core-config and adapter-agent as real processes (as `npm start` runs them),
 * one simulated OLT of P x M ONUs (default 16 x 128 = 2,048), EnableDevice, then ListDevices polled until
 * every ONU is ACTIVE. Reports the time from EnableDevice to the OLT ACTIVE, to the last ONU created and
 * to the last ONU ACTIVE, the CPU time each process used, and the agent's transaction counters.
 *
 *   npm run bench:activation                       # 16 x 128, 1.x simulator timings, embedded store
 *   npm run bench:activation -- --backend none --pon-ports 4 --onus-per-pon 32 --timing-scale 0
 *   npm run bench:activation -- --lifecycle true     # then disable, re-enable, disable, delete the OLT
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { grpcCaller, ServiceProcess, servicePorts } from '@voltha/testing';

interface Options {
  backend: string;
  ponPorts: number;
  onusPerPon: number;
  timingScale: string;
  pollMs: number;
  timeoutMs: number;
  /** Then also disable, re-enable, disable and delete the OLT, timing each until it is done. */
  lifecycle: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    backend: 'embedded',
    ponPorts: 16,
    onusPerPon: 128,
    timingScale: '1',
    pollMs: 500,
    timeoutMs: 600_000,
    lifecycle: false
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`flag ${flag} needs a value`);
    if (flag === '--backend') o.backend = value;
    else if (flag === '--pon-ports') o.ponPorts = Number(value);
    else if (flag === '--onus-per-pon') o.onusPerPon = Number(value);
    else if (flag === '--timing-scale') o.timingScale = value;
    else if (flag === '--poll-ms') o.pollMs = Number(value);
    else if (flag === '--timeout-ms') o.timeoutMs = Number(value);
    else if (flag === '--lifecycle') o.lifecycle = value === 'true';
    else throw new Error(`unknown flag ${flag}`);
  }
  return o;
}

/** CPU seconds (user + system) a process used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

interface DeviceJson {
  id: string;
  parentId: string;
  root: boolean;
  adminState: number;
  operStatus: number;
}

const ACTIVE = 4;
const FAILED = 5;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const total = o.ponPorts * o.onusPerPon;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-activation-'));
  const ports = await servicePorts('core', 'coreProbe', 'agent', 'agentProbe');
  const loopback = (grpc: number, probe: number): string[] => [
    '--grpc-host',
    '127.0.0.1',
    '--grpc-port',
    String(grpc),
    '--probe-host',
    '127.0.0.1',
    '--probe-port',
    String(probe),
    '--log-level',
    'warn'
  ];
  const processes: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of processes.reverse()) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const core = await ServiceProcess.start({
      name: 'core-config',
      entry: 'apps/core-config/src/main.ts',
      args: [...loopback(ports.core, ports.coreProbe), '--backend', o.backend, '--data-dir', dataDir],
      probePort: ports.coreProbe
    });
    processes.push(core);
    const agent = await ServiceProcess.start({
      name: 'adapter-agent',
      entry: 'apps/adapter-agent/src/main.ts',
      args: [
        ...loopback(ports.agent, ports.agentProbe),
        '--core',
        `127.0.0.1:${ports.core}`,
        '--sim-timing-scale',
        o.timingScale,
        '--kpi-interval',
        '0',
        '--alarm-interval',
        '0'
      ],
      probePort: ports.agentProbe
    });
    processes.push(agent);
    const voltha = grpcCaller('VolthaService', 'voltha_service.proto', `127.0.0.1:${ports.core}`);
    const olt = await voltha.call<{ id: string }>('CreateDevice', {
      type: 'simulated_olt',
      macAddress: '00:00:00:00:00:01',
      extraArgs: `--pon-ports ${o.ponPorts} --onus-per-pon ${o.onusPerPon}`
    });
    console.log(
      `ONU activation: ${o.ponPorts} x ${o.onusPerPon} = ${total} ONUs, backend ${o.backend}, ` +
        `simulator timing scale ${o.timingScale}, ListDevices every ${o.pollMs} ms, ${cpus().length} CPUs`
    );
    const cpu0 = { core: cpuSeconds(core.pid), agent: cpuSeconds(agent.pid) };
    const t0 = Date.now();
    await voltha.call('EnableDevice', { id: olt.id });
    let oltActive = 0;
    let allCreated = 0;
    let lastReport = 0;
    for (;;) {
      const devices = (await voltha.call<{ items: DeviceJson[] }>('ListDevices', {}, undefined, 60_000))
        .items;
      const now = Date.now() - t0;
      const onus = devices.filter((d) => d.parentId === olt.id && !d.root);
      const active = onus.filter((d) => d.operStatus === ACTIVE).length;
      const failed = onus.filter((d) => d.operStatus === FAILED).length;
      if (!oltActive && devices.find((d) => d.id === olt.id)?.operStatus === ACTIVE) oltActive = now;
      if (!allCreated && onus.length === total) allCreated = now;
      if (now - lastReport >= 5000) {
        lastReport = now;
        console.log(
          `  ${(now / 1000).toFixed(1)} s: ${onus.length} ONUs, ${active} ACTIVE, ${failed} FAILED`
        );
      }
      if (active === total) break;
      if (failed > 0) throw new Error(`${failed} ONU(s) FAILED`);
      if (now > o.timeoutMs) throw new Error(`only ${active} of ${total} ONUs ACTIVE after ${now} ms`);
      await new Promise((r) => setTimeout(r, o.pollMs));
    }
    const done = Date.now() - t0;
    const cpu = { core: cpuSeconds(core.pid) - cpu0.core, agent: cpuSeconds(agent.pid) - cpu0.agent };
    const ld = (await voltha.call<{ parentId: string }>('GetDevice', { id: olt.id })).parentId;
    const lports = (
      await voltha.call<{ items: unknown[] }>('ListLogicalDevicePorts', { id: ld }, undefined, 60_000)
    ).items.length;
    const metrics = await (await fetch(`http://127.0.0.1:${ports.agentProbe}/metrics`)).text();
    const counter = (outcome: string): string =>
      new RegExp(`voltha_agent_transactions_total\\{outcome="${outcome}"\\} (\\d+)`).exec(metrics)?.[1] ??
      '?';
    const lifecycle: [string, number][] = [];
    if (o.lifecycle) {
      const list = async (): Promise<DeviceJson[]> =>
        (await voltha.call<{ items: DeviceJson[] }>('ListDevices', {}, undefined, 60_000)).items;
      const onusOf = (all: DeviceJson[]): DeviceJson[] => all.filter((d) => d.parentId === olt.id && !d.root);
      const step = async (
        name: string,
        call: string,
        done: (all: DeviceJson[]) => boolean
      ): Promise<void> => {
        const start = Date.now();
        await voltha.call(call, { id: olt.id }, undefined, 120_000);
        while (!done(await list())) {
          if (Date.now() - start > o.timeoutMs) throw new Error(`${name} not done after ${o.timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, o.pollMs));
        }
        lifecycle.push([name, Date.now() - start]);
      };
      const allOnus = (pred: (d: DeviceJson) => boolean) => (all: DeviceJson[]) => {
        const onus = onusOf(all);
        return onus.length === total && onus.every(pred);
      };
      const disabled = allOnus((d) => d.adminState === 2 && d.operStatus === 0);
      await step('DisableDevice -> all ONUs DISABLED/UNKNOWN', 'DisableDevice', disabled);
      await step(
        'EnableDevice (re-enable) -> all ONUs ACTIVE',
        'EnableDevice',
        allOnus((d) => d.operStatus === ACTIVE)
      );
      await step('DisableDevice again', 'DisableDevice', disabled);
      await step('DeleteDevice -> no device left', 'DeleteDevice', (all) => all.length === 0);
    }
    voltha.close();
    console.log('');
    console.log(`| measure | value |`);
    console.log(`| --- | --- |`);
    console.log(`| EnableDevice -> OLT ACTIVE | ${(oltActive / 1000).toFixed(1)} s |`);
    console.log(`| EnableDevice -> all ${total} ONUs created | ${(allCreated / 1000).toFixed(1)} s |`);
    console.log(
      `| EnableDevice -> last ONU ACTIVE | **${(done / 1000).toFixed(1)} s** (${(total / (done / 1000)).toFixed(0)} ONUs/s) |`
    );
    console.log(`| logical ports at the end | ${lports} |`);
    console.log(`| CPU core-config / adapter-agent | ${cpu.core.toFixed(1)} s / ${cpu.agent.toFixed(1)} s |`);
    console.log(
      `| agent transactions committed / conflict retries | ${counter('committed')} / ${counter('retries')} |`
    );
    for (const [name, ms] of lifecycle) console.log(`| ${name} | ${(ms / 1000).toFixed(1)} s |`);
    console.log(`(poll resolution ${o.pollMs} ms)`);
  } finally {
    await stop();
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
