#!/usr/bin/env node
// Runs a TypeScript entry point of this repo (apps and tools) with SWC: decorator metadata for NestJS
// and the @voltha/* path aliases of tsconfig.base.json. Usage: node tools/scripts/run-ts.mjs FILE [ARGS...]
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: run-ts.mjs FILE [ARGS...]\n');
  process.exit(2);
}
const child = spawn(process.execPath, ['-r', '@swc-node/register', file, ...args], {
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
