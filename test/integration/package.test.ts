import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'darray-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs from its tarball and starts workers from the installed copy', () => {
    // The build already ran (npm test builds before vitest), so packing needs no scripts.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: root,
      stdio: 'pipe',
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, tarball as string)],
      {
        cwd: app,
        stdio: 'pipe',
      },
    );
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
    const out = execFileSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toEqual({ who: 2, p: 2, procs: [1] });
  }, 180_000);
});
