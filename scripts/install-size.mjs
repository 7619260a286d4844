#!/usr/bin/env node
// What `npm install darray` costs a user: packs this package, installs the tarball into an empty
// folder and prints the size of its node_modules (disk usage, as `du` counts it), largest packages
// first. `--app DIR` measures a folder where the package is already installed instead;
// `--max-mib N` exits 1 when the install is larger than N MiB.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { app: { type: 'string' }, 'max-mib': { type: 'string' } } });
const MiB = 2 ** 20;

/** Bytes on disk under `path` (blocks, as `du` counts them; the length where blocks are unknown). */
function diskBytes(path) {
  const st = lstatSync(path);
  let bytes = st.blocks !== undefined ? st.blocks * 512 : st.size;
  if (st.isDirectory()) for (const name of readdirSync(path)) bytes += diskBytes(join(path, name));
  return bytes;
}

/** The packages directly under node_modules (scoped ones as @scope/name) with their sizes. */
function packages(nodeModules) {
  const out = [];
  for (const name of readdirSync(nodeModules)) {
    if (name.startsWith('.')) continue;
    const path = join(nodeModules, name);
    if (name.startsWith('@')) {
      for (const sub of readdirSync(path)) out.push([`${name}/${sub}`, diskBytes(join(path, sub))]);
    } else out.push([name, diskBytes(path)]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

function packAndInstall() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'darray-size-'));
  // prepack builds dist first.
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: app,
    stdio: 'inherit',
  });
  return { app, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

const { app, cleanup } = values.app ? { app: values.app, cleanup: () => {} } : packAndInstall();
try {
  const nodeModules = join(app, 'node_modules');
  const total = diskBytes(nodeModules);
  console.log(`install size: ${(total / MiB).toFixed(1)} MiB in ${nodeModules}`);
  for (const [name, bytes] of packages(nodeModules).slice(0, 12)) {
    console.log(`  ${(bytes / MiB).toFixed(1).padStart(7)} MiB  ${name}`);
  }
  const max = values['max-mib'] === undefined ? undefined : Number(values['max-mib']);
  if (max !== undefined && total > max * MiB) {
    console.error(`install size ${(total / MiB).toFixed(1)} MiB is over the limit of ${max} MiB`);
    process.exitCode = 1;
  }
} finally {
  cleanup();
}
