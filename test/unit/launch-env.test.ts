import { chmodSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_PORT, detectLaunch, rendezvousPort } from '../../src/cluster/launch-env.js';
import { removeGenerated, spmdCookie } from '../../src/cluster/spmd-cookie.js';
import { ArgumentError } from '../../src/index.js';

describe('detectLaunch: rank, size and local rank from the launcher environment', () => {
  it('reads a Slurm step (srun), one node and several', () => {
    const one = detectLaunch({
      SLURM_JOB_ID: '42',
      SLURM_STEP_ID: '3',
      SLURM_PROCID: '2',
      SLURM_STEP_NUM_TASKS: '4',
      SLURM_LOCALID: '1',
      SLURM_STEP_NODELIST: 'localhost',
      SLURM_STEP_NUM_NODES: '1',
    });
    expect(one).toMatchObject({ launcher: 'slurm', rank: 2, size: 4, localRank: 1, singleNode: true });
    expect(one.jobKey).toBe('slurm-42.3');
    const many = detectLaunch({
      SLURM_JOB_ID: '42',
      SLURM_PROCID: '0',
      SLURM_STEP_NUM_TASKS: '8',
      SLURM_STEP_NODELIST: 'cn[007-008]',
    });
    expect(many).toMatchObject({ singleNode: false, master: 'cn007' });
    // DARRAY_MASTER wins over the node list.
    const given = { SLURM_JOB_ID: '42', SLURM_PROCID: '1', SLURM_STEP_NUM_TASKS: '8' };
    expect(
      detectLaunch({ ...given, SLURM_STEP_NODELIST: 'cn[007-008]', DARRAY_MASTER: '10.1.2.3' }).master,
    ).toBe('10.1.2.3');
  });

  it("ignores a batch script's SLURM_* variables (no srun step): one process", () => {
    expect(detectLaunch({ SLURM_JOB_ID: '7', SLURM_PROCID: '0', SLURM_NTASKS: '4' })).toMatchObject({
      launcher: 'none',
      size: 1,
    });
  });

  it('prefers MPI variables over inherited Slurm ones (mpirun inside sbatch)', () => {
    const env = {
      SLURM_JOB_ID: '7',
      SLURM_PROCID: '0',
      SLURM_STEP_NUM_TASKS: '1',
      OMPI_COMM_WORLD_RANK: '3',
      OMPI_COMM_WORLD_SIZE: '4',
      OMPI_COMM_WORLD_LOCAL_RANK: '1',
      OMPI_COMM_WORLD_LOCAL_SIZE: '2',
      PMIX_NAMESPACE: 'prterun-x-1@1',
    };
    expect(detectLaunch(env)).toMatchObject({
      launcher: 'openmpi',
      rank: 3,
      size: 4,
      localRank: 1,
      singleNode: false,
      jobKey: 'prterun-x-1@1',
    });
  });

  it('reads MPICH/Hydra (PMI_*), PMIx and explicit DARRAY_* variables', () => {
    expect(
      detectLaunch({ PMI_RANK: '1', PMI_SIZE: '2', MPI_LOCALRANKID: '1', MPI_LOCALNRANKS: '2' }),
    ).toMatchObject({ launcher: 'pmi', rank: 1, size: 2, localRank: 1, singleNode: true });
    expect(detectLaunch({ PMIX_RANK: '0', PMIX_SIZE: '3', PMIX_LOCAL_RANK: '0' })).toMatchObject({
      launcher: 'pmix',
      size: 3,
    });
    expect(detectLaunch({ DARRAY_RANK: '1', DARRAY_WORLD_SIZE: '2', DARRAY_LOCAL_RANK: '1' })).toMatchObject({
      launcher: 'darray',
      rank: 1,
      localRank: 1,
      singleNode: true,
    });
  });

  it('reads a Kubernetes Indexed Job: rank from JOB_COMPLETION_INDEX, rank 0 from the headless service', () => {
    const info = detectLaunch({
      JOB_COMPLETION_INDEX: '2',
      DARRAY_WORLD_SIZE: '4',
      HOSTNAME: 'spmd-power-2',
      DARRAY_SERVICE: 'spmd-power',
    });
    expect(info).toMatchObject({
      launcher: 'kubernetes',
      rank: 2,
      size: 4,
      master: 'spmd-power-0.spmd-power',
    });
    expect(() => detectLaunch({ JOB_COMPLETION_INDEX: '2' })).toThrow(/DARRAY_WORLD_SIZE is not/);
  });

  it('refuses inconsistent variables, naming them', () => {
    expect(() => detectLaunch({ OMPI_COMM_WORLD_RANK: '1' })).toThrow(/OMPI_COMM_WORLD_SIZE is not/);
    expect(() => detectLaunch({ PMI_RANK: '5', PMI_SIZE: '2' })).toThrow(/rank 5 is not below/);
    expect(() => detectLaunch({ PMI_RANK: 'x', PMI_SIZE: '2' })).toThrow(ArgumentError);
  });

  it('derives the rendezvous port from the job key, the same on every rank, or takes DARRAY_PORT', () => {
    const a = detectLaunch({
      SLURM_JOB_ID: '42',
      SLURM_STEP_ID: '0',
      SLURM_PROCID: '0',
      SLURM_STEP_NUM_TASKS: '2',
    });
    const b = detectLaunch({
      SLURM_JOB_ID: '42',
      SLURM_STEP_ID: '0',
      SLURM_PROCID: '1',
      SLURM_STEP_NUM_TASKS: '2',
    });
    const p = rendezvousPort(a, {});
    expect(p).toBe(rendezvousPort(b, {}));
    expect(p).toBeGreaterThanOrEqual(BASE_PORT);
    expect(p).toBeLessThan(BASE_PORT + 1000);
    expect(rendezvousPort(a, { DARRAY_PORT: '12345' })).toBe(12345);
    expect(() => rendezvousPort(a, { DARRAY_PORT: '70000' })).toThrow(/DARRAY_PORT must be a port/);
  });
});

describe('spmdCookie: the secret every rank shares, never on a command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'darray-cookie-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const one = { launcher: 'darray' as const, size: 2, localRank: 0, singleNode: true };
  const soon = () => Date.now() + 2000;

  it('takes DARRAY_COOKIE, or a private DARRAY_COOKIE_FILE, and refuses a file others can read', async () => {
    expect((await spmdCookie({ ...one, rank: 1 }, soon(), { DARRAY_COOKIE: 'a'.repeat(32) })).cookie).toBe(
      'a'.repeat(32),
    );
    await expect(spmdCookie({ ...one, rank: 1 }, soon(), { DARRAY_COOKIE: 'short' })).rejects.toThrow(
      /at least 16/,
    );
    const file = join(dir, 'cookie');
    writeFileSync(file, `${'b'.repeat(32)}\n`, { mode: 0o600 });
    expect((await spmdCookie({ ...one, rank: 1 }, soon(), { DARRAY_COOKIE_FILE: file })).cookie).toBe(
      'b'.repeat(32),
    );
    chmodSync(file, 0o644);
    await expect(spmdCookie({ ...one, rank: 1 }, soon(), { DARRAY_COOKIE_FILE: file })).rejects.toThrow(
      /chmod 600/,
    );
  });

  it('rank 0 generates a private file the others read; a stale one from an earlier launch is not taken', async () => {
    const key = `unit-${process.pid}-${Date.now()}`;
    const env = { HOME: dir };
    const zero = await spmdCookie({ ...one, rank: 0, jobKey: key }, soon(), env);
    expect(zero.generated).toBeDefined();
    const other = await spmdCookie({ ...one, rank: 1, jobKey: key }, soon(), env);
    expect(other.cookie).toBe(zero.cookie);
    // A file far older than this process is left over: rank 1 waits for a fresh one, then gives up.
    const old = (Date.now() - 3_600_000) / 1000;
    utimesSync(zero.generated as string, old, old);
    await expect(spmdCookie({ ...one, rank: 1, jobKey: key }, Date.now() + 300, env)).rejects.toThrow(
      /waited for rank 0 to write the cookie file/,
    );
    removeGenerated(zero);
    expect(existsSync(zero.generated as string)).toBe(false);
  });

  it('refuses to run several hosts without a job key or an explicit secret', async () => {
    await expect(
      spmdCookie({ launcher: 'kubernetes', rank: 0, size: 2, localRank: 0, singleNode: false }, soon(), {}),
    ).rejects.toThrow(/will not use a guessable secret; set DARRAY_COOKIE/);
  });
});
