// What a new user gets: the package packed, installed from its tarball into an empty folder (once
// for the whole file), its install size, and every JavaScript example of the README run as written.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'darray-pack-'));
const app = join(work, 'app');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The README's ```js blocks: those with a file name after `js` are files, the others scripts. */
function readmeBlocks(): { file?: string; code: string }[] {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  return [...text.matchAll(/^```js( [^\n]*)?\n([\s\S]*?)^```$/gm)].map((m) => {
    const file = m[1]?.trim();
    return file ? { file, code: m[2] as string } : { code: m[2] as string };
  });
}

function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // The build already ran (npm test builds before vitest), so packing needs no scripts.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: root, stdio: 'pipe' });
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${work}`);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball)], {
    cwd: app,
    stdio: 'pipe',
  });
  for (const b of readmeBlocks()) if (b.file) writeFileSync(join(app, b.file), b.code);
}, 300_000);

describe('the packed package', () => {
  it('installs in at most 150 MiB (scripts/install-size.mjs)', () => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'scripts/install-size.mjs'), '--app', app, '--max-mib', '150'],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/install size: [\d.]+ MiB/);
  });

  it('ships no path of the repository around it (README, messages, maps)', () => {
    const r = spawnSync('grep', ['-rlE', String.raw`\.\./shared/|/work/`, join(app, 'node_modules/darray')], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1); // grep: nothing found
  });

  it('starts workers from the installed copy', () => {
    writeFileSync(
      join(app, 'main.js'),
      [
        "import * as d from 'darray';",
        'const [p] = await d.addprocs(1);',
        'const who = await d.remotecallFetch(() => myid(), p);',
        'await d.rmprocs(p);',
        'console.log(JSON.stringify({ who, p, procs: d.procs() }));',
      ].join('\n'),
    );
    const r = runNode('main.js');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toEqual({ who: 2, p: 2, procs: [1] });
  });
});

describe('the installed command', () => {
  it('npx darray run -p 1 -L ./setup.js driver.js runs the driver on the same darray as its workers', () => {
    writeFileSync(join(app, 'setup.js'), 'export const twice = (x) => 2 * x;\n');
    writeFileSync(
      join(app, 'driver.js'),
      [
        "import { remotecallFetch, workers } from 'darray';",
        'const [w] = workers();',
        'console.log(JSON.stringify({ args: process.argv.slice(2), w, got: await remotecallFetch(() => twice(21), w) }));',
      ].join('\n'),
    );
    const r = spawnSync(
      'npx',
      ['--no-install', 'darray', 'run', '-p', '1', '-L', './setup.js', 'driver.js', 'x'],
      {
        cwd: app,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ args: ['x'], w: 2, got: 42 });
  });
});

describe('every JavaScript example of the README runs as written', () => {
  const scripts = readmeBlocks().filter((b) => !b.file);
  it('has examples to run', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(4);
  });
  scripts.forEach((b, i) => {
    const first = b.code.split('\n').find((l) => !l.startsWith('import') && l.trim() !== '') ?? '';
    it(`example ${i + 1}: ${first.slice(0, 60)}`, () => {
      const name = `readme-${i + 1}.js`;
      writeFileSync(join(app, name), b.code);
      const r = runNode(name);
      expect(r.stderr.replace(/^Warning: .*\n/gm, ''), r.stderr).not.toMatch(/Error|at .*:\d+:\d+/);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      if (b.code.includes('gpu(')) {
        // `webgpu` is an optional peer, absent here: gpu() says once what it fell back to and why,
        // and tfjs's own console banner stays quiet.
        expect(r.stderr.match(/fell back to/g)?.length, r.stderr).toBe(1);
        expect(r.stderr).toContain("fell back to 'tfjs' on tfjs-cpu");
        expect(r.stderr).toContain('npm install webgpu');
        expect(r.stderr).not.toMatch(/looks like you are running TensorFlow/);
      }
    });
  });
});
