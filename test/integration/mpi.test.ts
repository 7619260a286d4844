// darray SPMD under a real mpirun (Open MPI here; MPICH's PMI_* variables are read alike). Skipped,
// with the reason, where mpirun is missing; failing under CI=true, which installs it (.ci/run).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { engineOrSkip, processesWith, runLauncher, tagged, unusable } from './launchers.js';
import { waitFor } from './leaks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const job = `${root}test/fixtures/spmd/job.mjs`;
const example = `${root}dist/examples/spmd-power.js`;
// Open MPI refuses root without --allow-run-as-root; --oversubscribe allows more ranks than cores.
const asRoot = process.getuid?.() === 0 ? ['--allow-run-as-root'] : [];

function mpirun(n: number, script: string, env: Record<string, string> = {}) {
  return runLauncher(
    'mpirun',
    [...asRoot, '--oversubscribe', '-n', String(n), process.execPath, script],
    env,
  );
}

type Report = {
  info: { launcher: string; rank: number; size: number; pids: number[] };
  ranks: { pid: number; rank: number; local: number }[];
  viaPeer: number;
};

const missing = unusable('mpirun', ['--version']);

describe('mpirun', () => {
  if (!engineOrSkip('mpirun (Open MPI or MPICH)', missing)) return;

  afterEach(async () => {
    await waitFor(
      () => processesWith(job).length === 0 && processesWith(example).length === 0,
      10_000,
      'ranks to exit',
    );
  });

  it('mpirun -n 3 node job.mjs: rank 0 is process 1 with ranks 1 and 2 as workers 2 and 3', () => {
    const r = mpirun(3, job);
    const report = tagged<Report>(r.out, 'RESULT');
    expect(report, r.out + r.err).toBeDefined();
    expect(r.status, r.err).toBe(0);
    expect(report?.info).toMatchObject({ rank: 0, size: 3, pids: [2, 3] });
    expect(['openmpi', 'pmi', 'pmix']).toContain(report?.info.launcher);
    expect(report?.ranks.map((x) => [x.pid, x.rank, x.local])).toEqual([
      [2, 1, 1],
      [3, 2, 2],
    ]);
    expect(report?.viaPeer).toBe(3);
  });

  it("a rank that exits during start-up is named in rank 0's error within the timeout", () => {
    const r = mpirun(3, job, { DIE_RANK: '2', DIE_CODE: '0', SPMD_TIMEOUT: '3' });
    const failed = tagged<{ message: string }>(r.out, 'FAILED');
    expect(failed?.message, r.out + r.err).toMatch(/rank 2 of 3 did not connect to rank 0 .* within 3 s/);
    expect(r.status).not.toBe(0);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('examples/spmd-mpirun.sh runs the power method on a DArray over the ranks', () => {
    const r = spawnSync('bash', ['examples/spmd-mpirun.sh', '3', '96'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^(openmpi|pmix|pmi): 3 ranks, 2 workers .*96×96 matrix: [\d.]+ \(matches one process\)$/m,
    );
  });
});
