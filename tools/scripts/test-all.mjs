#!/usr/bin/env node
// `npm test`: runs every project's Jest suite through Nx, then prints one closing line with the totals
// ("test: N passed, N failed, N skipped"), read from the JSON report each project writes.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const reports = join(root, 'tmp', 'test-results');
rmSync(reports, { recursive: true, force: true });

const args = ['nx', 'run-many', '-t', 'test', '--output-style=stream', ...process.argv.slice(2)];
const run = spawnSync('npx', args, { cwd: root, stdio: 'inherit' });

let passed = 0;
let failed = 0;
let skipped = 0;
let suites = 0;
if (existsSync(reports)) {
  for (const file of readdirSync(reports).filter((f) => f.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(reports, file), 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    skipped += r.numPendingTests + r.numTodoTests;
    suites += r.numTotalTestSuites;
  }
}
const code = run.status ?? 1;
if (code !== 0 && failed === 0) failed = 1; // a project failed before reporting (e.g. a crash)
process.stdout.write(`\n${suites} suites\ntest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);
