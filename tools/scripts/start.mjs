#!/usr/bin/env node
// `npm start`: the local stack. Starts core-config, flow-decomposer, adapter-agent and the REST gateway
// as separate processes with the single-machine defaults (embedded LMDB store under ./data, events over
// core-config's Watch stream unless KAFKA is set), waits until each one is ready, prints the endpoints,
// and stops everything cleanly on Ctrl-C. Environment variables (BACKEND, KAFKA, LOG_LEVEL, ...) reach
// every service; ports are given per service as flags. Options: --data-dir DIR, --no-gateway.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const dataDir = option('--data-dir', process.env.DATA_DIR || join(root, 'data'));
const host = '127.0.0.1';
const core = `${host}:50057`;

const services = [
  {
    name: 'core-config',
    entry: 'apps/core-config/src/main.ts',
    probe: 8080,
    args: ['--grpc-port', '50057', '--probe-port', '8080', '--data-dir', dataDir],
    endpoint: `gRPC ${core} (VolthaService, ConfigService)`
  },
  {
    name: 'flow-decomposer',
    entry: 'apps/flow-decomposer/src/main.ts',
    probe: 8083,
    args: ['--core', core, '--grpc-port', '50059', '--probe-port', '8083'],
    endpoint: `gRPC ${host}:50059 (FlowDecomposerService)`
  },
  {
    name: 'adapter-agent',
    entry: 'apps/adapter-agent/src/main.ts',
    probe: 8081,
    args: ['--core', core, '--grpc-port', '50060', '--probe-port', '8081'],
    endpoint: `gRPC ${host}:50060 (AdapterAgentService: simulated_olt, simulated_onu)`
  },
  {
    name: 'rest-gateway',
    entry: 'apps/rest-gateway/src/main.ts',
    probe: 8082,
    optional: true,
    args: ['--voltha', core, '--http-port', '8881', '--probe-port', '8082'],
    endpoint: `HTTP http://${host}:8881/api/v1 (docs: /api/v1/docs)`
  }
].filter((s) => !(s.optional && args.includes('--no-gateway')));

const missing = services.filter((s) => !existsSync(join(root, s.entry)));
if (missing.length) {
  process.stderr.write(
    `npm start: not built yet: ${missing.map((s) => s.name).join(', ')}; nothing was started.\n`
  );
  process.exit(1);
}
mkdirSync(dataDir, { recursive: true });

const colors = { 'core-config': 36, 'flow-decomposer': 35, 'adapter-agent': 33, 'rest-gateway': 32 };
const levels = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
function printLine(name, line) {
  let text = line;
  try {
    const j = JSON.parse(line);
    const { level, time, msg, service: _s, context: _c, pid: _p, hostname: _h, ...rest } = j;
    const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
    text = `${String(time ?? '').slice(11, 19)} ${(levels[level] ?? level).padEnd(5)} ${msg ?? ''}${extra}`;
  } catch {
    // not JSON: print as is
  }
  process.stdout.write(`\x1b[${colors[name] ?? 37}m${name.padEnd(15)}\x1b[0m ${text}\n`);
}

const children = new Map();
let stopping = false;

function startService(s) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, s.entry), ...s.args], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  children.set(s.name, child);
  let buf = '';
  const onData = (d) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) printLine(s.name, l);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.on('exit', (code, signal) => {
    children.delete(s.name);
    if (!stopping) {
      process.stderr.write(
        `\n${s.name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the stack.\n`
      );
      void stopAll(1);
    }
  });
}

async function waitReady(s, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(s.name)) throw new Error(`${s.name} exited before it was ready`);
    try {
      const res = await fetch(`http://${host}:${s.probe}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${s.name} was not ready after ${timeoutMs / 1000} s`);
}

async function stopAll(code) {
  stopping = true;
  const exits = [...children.values()].map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of children.values()) c.kill('SIGTERM');
  const timer = setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
  }, 15_000);
  await Promise.all(exits);
  clearTimeout(timer);
  process.exit(code);
}

process.on('SIGINT', () => {
  if (!stopping) process.stdout.write('\nstopping...\n');
  void stopAll(0);
});
process.on('SIGTERM', () => void stopAll(0));

const started = Date.now();
try {
  startService(services[0]);
  await waitReady(services[0], 90_000);
  for (const s of services.slice(1)) startService(s);
  await Promise.all(services.slice(1).map((s) => waitReady(s, 90_000)));
} catch (e) {
  process.stderr.write(`npm start: ${e.message}\n`);
  await stopAll(1);
}
const width = Math.max(...services.map((s) => s.name.length));
process.stdout.write(
  `\nVOLTHA is up in ${((Date.now() - started) / 1000).toFixed(1)} s (store: ${process.env.BACKEND || 'embedded'} in ${dataDir}; events: ${process.env.KAFKA ? `Kafka ${process.env.KAFKA}` : 'gRPC Watch stream'})\n` +
    services
      .map((s) => `  ${s.name.padEnd(width)}  ${s.endpoint}   health: http://${host}:${s.probe}/readyz`)
      .join('\n') +
    `\n\nTry: npm run voltha -- device list     npm run demo\nCtrl-C stops everything.\n\n`
);
