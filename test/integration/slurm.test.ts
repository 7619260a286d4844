// darray on a real Slurm: SPMD under srun and sbatch, SlurmManager under salloc. Skipped, with the
// reason, where no Slurm runs; failing under CI=true, which starts one (.ci/run).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError, SlurmManager } from '../../src/index.js';
import { engineOrSkip, processesWith, runLauncher as run, tagged, unusable } from './launchers.js';
import { waitFor } from './leaks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const job = `${root}test/fixtures/spmd/job.mjs`;
const master = `${root}test/fixtures/spmd/slurm-master.mjs`;
const example = `${root}dist/examples/spmd-power.js`;

type Report = {
  info: { launcher: string; rank: number; size: number; pids: number[] };
  nprocs: number;
  ranks: { pid: number; rank: number; local: number; os: number }[];
  viaPeer: number;
};

const slurmDown = unusable('sinfo', ['-h', '-o', '%a']);

describe('Slurm', () => {
  if (!engineOrSkip('Slurm (sinfo, srun, salloc)', slurmDown)) return;

  afterEach(async () => {
    // Every rank, task and srun step of the run has ended: nothing is left on the node.
    await waitFor(() => processesWith(job).length === 0, 10_000, 'SPMD ranks to exit');
    await waitFor(() => processesWith(example).length === 0, 10_000, 'example ranks to exit');
    await waitFor(
      () => processesWith('worker-main.js', ['SLURM_STEP_ID=0']).length === 0,
      10_000,
      'Slurm tasks to exit',
    );
  });

  it('srun -n 3 node job.mjs: rank 0 returns as process 1, rank r is worker r + 1, workers reach each other', () => {
    // Three ranks on the CI node's two CPUs: --overcommit lets Slurm start them all.
    const r = run('srun', ['-n', '3', '--overcommit', '--kill-on-bad-exit=1', process.execPath, job]);
    const report = tagged<Report>(r.out, 'RESULT');
    expect(report, r.out + r.err).toBeDefined();
    expect(r.status, r.err).toBe(0);
    expect(report?.info).toMatchObject({ launcher: 'slurm', rank: 0, size: 3, pids: [2, 3] });
    expect(report?.nprocs).toBe(3);
    expect(report?.ranks.map((x) => [x.pid, x.rank, x.local])).toEqual([
      [2, 1, 1],
      [3, 2, 2],
    ]);
    expect(report?.viaPeer).toBe(3);
  });

  it('a rank that dies during start-up: rank 0 fails within the timeout naming it, and the others exit', () => {
    const r = run('srun', ['-n', '3', '--overcommit', process.execPath, job], {
      DIE_RANK: '2',
      DIE_CODE: '3',
      SPMD_TIMEOUT: '3',
    });
    const failed = tagged<{ message: string }>(r.out, 'FAILED');
    expect(failed?.message, r.out + r.err).toMatch(/rank 2 of 3 did not connect to rank 0 .* within 3 s/);
    expect(r.err).toMatch(/rank 1: rank 0 went away before the cluster was formed/);
    expect(r.status).not.toBe(0);
    expect(r.ms).toBeLessThan(20_000);
  });

  it('a rank that dies after reaching rank 0 is named at once, before the timeout', () => {
    // Rank 2 never starts, so rank 0 is still waiting when rank 1, already reported, goes away.
    const r = run('srun', ['-n', '3', '--overcommit', process.execPath, job], {
      DIE_RANK: '2',
      LATE_RANK: '1',
      SPMD_TIMEOUT: '30',
    });
    const failed = tagged<{ message: string }>(r.out, 'FAILED');
    expect(failed?.message, r.out + r.err).toMatch(/rank 1 \(on .*\) exited during start-up/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('sbatch: the example job script runs the power method on a DArray over the ranks', () => {
    const out = `${root}test/fixtures/spmd/.sbatch-%j.out`;
    const r = run(
      'sbatch',
      ['--wait', '--ntasks=3', '--overcommit', `--output=${out}`, '--parsable', 'examples/spmd-sbatch.sh'],
      {
        SPMD_N: '96',
      },
    );
    expect(r.status, r.err).toBe(0);
    const id = r.out.trim().split(';')[0];
    const file = out.replace('%j', String(id));
    const text = spawnSync('cat', [file], { encoding: 'utf8' }).stdout;
    spawnSync('rm', ['-f', file]);
    expect(text).toMatch(/^slurm: 3 ranks, 2 workers .*96×96 matrix: [\d.]+ \(matches one process\)$/m);
  });

  it('salloc -n 2 node master.mjs: SlurmManager adds the allocation as workers through srun --overlap', async () => {
    const r = run('salloc', ['-n', '2', process.execPath, master, '2']);
    const report = tagged<{
      job: string;
      pids: number[];
      ranks: { pid: number; task: number; os: number }[];
    }>(r.out, 'RESULT');
    expect(report, r.out + r.err).toBeDefined();
    expect(r.status, r.err).toBe(0);
    expect(report?.pids).toEqual([2, 3]);
    expect(report?.ranks.map((x) => x.task).sort()).toEqual([0, 1]);
    // Output of a task is relayed as that worker's, from srun's --label'led lines.
    expect(r.out).toMatch(/^From worker [23]:\ta line from a Slurm task$/m);
    await waitFor(
      () => processesWith('worker-main.js', [`SLURM_JOB_ID=${report?.job}`]).length === 0,
      10_000,
      'the Slurm tasks to exit',
    );
  });
});

// Needs no Slurm: the check runs before srun would.
describe('SlurmManager without Slurm', () => {
  it('SlurmManager outside an allocation fails at once, saying how to get one', () => {
    const saved = process.env.SLURM_JOB_ID;
    delete process.env.SLURM_JOB_ID;
    try {
      const t0 = Date.now();
      expect(() => new SlurmManager({ ntasks: 2 })).toThrow(ArgumentError);
      expect(() => new SlurmManager({ ntasks: 2 })).toThrow(/not inside a Slurm allocation .*salloc/);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      if (saved !== undefined) process.env.SLURM_JOB_ID = saved;
    }
    process.env.SLURM_JOB_ID = saved ?? '1';
    try {
      expect(() => new SlurmManager({ ntasks: 0 })).toThrow(/ntasks must be a positive integer/);
      expect(() => new SlurmManager({ ntasks: 1, srunFlags: '--x' as unknown as string[] })).toThrow(
        /srunFlags must be an array of strings/,
      );
    } finally {
      if (saved === undefined) delete process.env.SLURM_JOB_ID;
    }
  });
});
