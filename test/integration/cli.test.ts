// The built `darray` command, run as a user runs it: a child process per case.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = `${root}dist/src/cli/main.js`;
const built = existsSync(cli);
const fixture = (f: string) => `test/fixtures/run/${f}`;
// Vulkan pointed at no driver: Dawn finds no adapter, wherever the test runs.
const NO_GPU = { VK_DRIVER_FILES: '/nonexistent.json', VK_ICD_FILENAMES: '/nonexistent.json' };

function darray(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  // Dawn's own diagnostics (Vulkan loader warnings) are not darray's output.
  const stderr = r.stderr
    .split('\n')
    .filter((l) => l !== '' && !/^Warning: |^\s+at CheckVkSuccessImpl/.test(l))
    .join('\n');
  return { status: r.status, stdout: r.stdout, stderr };
}

/** The error, if any, is one line without a stack. */
function expectOneLine(stderr: string): void {
  expect(stderr.split('\n'), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return !pids.some(alive);
}

describe.skipIf(!built)(`darray${built ? '' : ' (skipped: run npm run build)'}`, () => {
  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    const r = darray(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  describe('power: a bad option is one line naming it and what it accepts, before any worker starts', () => {
    it.each([
      [['--dtype', 'float16'], /'--dtype <dtype>' argument 'float16' is invalid.*float64, float32\.$/],
      [
        ['--backend', 'cuda'],
        /'--backend <backend>' argument 'cuda' is invalid.*cpu, webgpu, tfjs, gpujs, auto\.$/,
      ],
      [['-n', '0'], /'-n, --n <n>' argument '0' is invalid.*positive integer, got '0'$/],
    ])('%j', (args, message) => {
      const r = darray(['power', ...args]);
      expect(r.status).not.toBe(0);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe(''); // the header comes after the workers start
    });

    it('a GPU backend that cannot start here', () => {
      const r = darray(['power', '--backend', 'webgpu', '-n', '64'], NO_GPU);
      expect(r.status).toBe(1);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/^darray power: --backend webgpu: .*no GPU adapter/);
      expect(r.stdout).toBe('');
    });
  });

  it('power --help tells the layouts', () => {
    const r = darray(['power', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('CPU chunks in column blocks, GPU chunks in row blocks');
  });

  it('power on CPU chunks: a truthful header and figures that say what they mean', () => {
    const r = darray(['power', '-n', '256', '-w', '1', '-i', '4', '--backend', 'cpu']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'power method: n = 256, computed in float64, 4 iterations, DArray over 1 local worker, cpu chunks in column blocks',
    );
    expect(lines[1]).toMatch(/^λ = [\d.]+ \(the estimate of the matrix's dominant eigenvalue\)$/);
    expect(lines[2]).toMatch(/^time per iteration: [\d.]+ ms \(/);
    expect(lines[3]).toMatch(
      /^bandwidth bound: [\d.]+ ms \(the time to read the matrix once at the workers' memory bandwidth/,
    );
    expect(lines[4]).toMatch(
      /^ratio to the bound: [\d.]+× \(time per iteration \/ bandwidth bound; 1\.0 is ideal\)$/,
    );
  });

  it('power on GPU chunks says they compute in float32, in row blocks', () => {
    const r = darray(['power', '-n', '64', '-w', '1', '-i', '2', '--backend', 'tfjs'], NO_GPU);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'power method: n = 64, computed in float32 (GPU chunks hold float32; asked for float64), 2 iterations, ' +
        'DArray over 1 local worker, tfjs chunks in row blocks',
    );
  });

  it('power --backend auto says why it uses the CPU', () => {
    const r = darray(['power', '-n', '64', '-w', '1', '-i', '2'], NO_GPU);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('no WebGPU (Dawn found no GPU adapter); using CPU chunks');
  });

  describe('run', () => {
    it('starts the workers, loads -L everywhere, passes the arguments, exits 0 and leaves no worker', async () => {
      const r = darray([
        'run',
        '-p',
        '2',
        '-L',
        fixture('setup.mjs'),
        fixture('driver.mjs'),
        'a',
        '--b',
        'c',
      ]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const [report, later] = r.stdout.trim().split('\n');
      const seen = JSON.parse(report as string) as { osPids: number[] };
      // triple(myid()) on the master (1), then on workers 2 and 3.
      expect(seen).toMatchObject({ args: ['a', '--b', 'c'], me: 1, workers: [2, 3], tripled: [3, 6, 9] });
      expect(later).toBe('LATER 2'); // work left in a callback ran with the workers still there
      expect(await gone(seen.osPids)).toBe(true);
    });

    it("exits with the script's exit code, and its workers go", async () => {
      const r = darray(['run', '-p', '1', '-L', fixture('setup.mjs'), fixture('driver.mjs'), '--exit=3']);
      expect(r.status).toBe(3);
      const seen = JSON.parse(r.stdout.split('\n')[0] as string) as { osPids: number[] };
      expect(await gone(seen.osPids)).toBe(true);
    });

    it('a throw exits 1 with the error printed once, without the runner’s frames', () => {
      const r = darray(['run', '-p', '1', fixture('driver.mjs'), '--throw']);
      expect(r.status).toBe(1);
      expect(r.stderr.match(/boom from the driver/g)).toHaveLength(1);
      expect(r.stderr).toContain('driver.mjs:');
      expect(r.stderr).not.toMatch(/node:internal|commander|cli[\\/]run/);
    });

    it('without the -L module the driver cannot call it', () => {
      const r = darray(['run', '-p', '1', fixture('driver.mjs')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/uses 'triple' from its enclosing scope/);
    });

    it('a missing -L module or script, or a bad -p, is one line', () => {
      const load = darray(['run', '-p', '1', '-L', './nope.mjs', fixture('driver.mjs')]);
      expect(load.status).toBe(1);
      expectOneLine(load.stderr);
      expect(load.stderr).toMatch(/^darray run: -L \.\/nope\.mjs: no such file or package/);
      const script = darray(['run', 'nope.mjs']);
      expect(script.status).toBe(2);
      expectOneLine(script.stderr);
      expect(script.stderr).toMatch(/^darray run: script not found: nope\.mjs/);
      const procs = darray(['run', '-p', 'x', fixture('driver.mjs')]);
      expect(procs.status).toBe(1);
      expectOneLine(procs.stderr);
      expect(procs.stderr).toMatch(/'-p, --procs <n>' argument 'x' is invalid/);
    });
  });
});
