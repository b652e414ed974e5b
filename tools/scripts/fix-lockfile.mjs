#!/usr/bin/env node
// The npm registry reachable from this project's machines does not carry every platform build of
// some native packages (e.g. darwin/win32 builds of @swc/core, @nx/nx, @bufbuild/buf at the pinned
// versions). `npm install` then leaves those optional dependencies out of package-lock.json but keeps
// them listed under their parent, and `npm ci` refuses such a lock ("Missing: ... from lock file").
// This drops the optional dependencies that have no entry in the lock, so that `npm ci` installs from
// it. Nothing a linux-x64 machine needs is removed (it only touches optional, unresolvable entries).
//   node tools/scripts/fix-lockfile.mjs           rewrite package-lock.json
//   node tools/scripts/fix-lockfile.mjs --check   exit 1 if it would change anything (CI)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const path = join(import.meta.dirname, '..', '..', 'package-lock.json');
const text = readFileSync(path, 'utf8');
const lock = JSON.parse(text);
const packages = lock.packages ?? {};

/** Where npm would look up `name` from the package at `from` (nested first, then each ancestor). */
function resolves(from, name) {
  let base = from;
  for (;;) {
    const candidate = (base ? `${base}/` : '') + `node_modules/${name}`;
    if (packages[candidate]) return true;
    if (!base) return false;
    const i = base.lastIndexOf('/node_modules/');
    base = i >= 0 ? base.slice(0, i) : '';
  }
}

const dropped = [];
for (const [pkgPath, pkg] of Object.entries(packages)) {
  const optional = pkg.optionalDependencies;
  if (!optional) continue;
  for (const name of Object.keys(optional)) {
    if (!resolves(pkgPath, name)) {
      delete optional[name];
      dropped.push(`${pkgPath || '(root)'} -> ${name}`);
    }
  }
  if (Object.keys(optional).length === 0) delete pkg.optionalDependencies;
}

if (process.argv.includes('--check')) {
  if (dropped.length) {
    process.stderr.write(
      `package-lock.json lists ${dropped.length} optional dependencies that it does not contain, so 'npm ci' would fail.\n` +
        `Run 'node tools/scripts/fix-lockfile.mjs' and commit package-lock.json.\n`
    );
    process.exit(1);
  }
  process.stdout.write('package-lock.json is installable with npm ci\n');
} else {
  writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
  process.stdout.write(`package-lock.json: dropped ${dropped.length} unresolvable optional dependencies\n`);
}
