import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dist = new URL('../../dist/examples/', import.meta.url).pathname;
const run = (name: string, ...args: string[]) =>
  execFileSync(process.execPath, [`${dist}${name}.js`, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('examples run with one command each', () => {
  it('jobs-results: four workers drain a job channel and report every job', () => {
    const out = run('jobs-results');
    for (let j = 1; j <= 12; j++)
      expect(out).toMatch(new RegExp(`^${j} finished in [\\d.]+ seconds on worker [2-5]$`, 'm'));
    expect(out).toMatch(/total work time/);
  });

  it('count-heads: distributedFor sums coin flips', () => {
    const out = run('count-heads', '200000');
    const m = /^(\d+) heads in 200000 flips/m.exec(out);
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m?.[1]) - 100000)).toBeLessThan(2000);
  });

  it('pmap-matrices: one dominant eigenvalue per matrix', () => {
    const out = run('pmap-matrices');
    const m = /dominant eigenvalues: (.*)$/m.exec(out);
    const values = (m?.[1] ?? '').split(', ').map(Number);
    expect(values).toHaveLength(8);
    // A 200×200 matrix of uniform [0, 1) entries has a dominant eigenvalue near 200 / 2.
    for (const v of values) expect(Math.abs(v - 100)).toBeLessThan(3);
  });

  it('dict-channel: a RemoteChannel backed by a user-defined store', () => {
    expect(run('dict-channel')).toMatch(/from-2 => 2000\nfrom-3 => 3000/);
  });

  it('threads: threadid() fills the array by chunks, and the Atomic sum is exact', () => {
    const out = run('threads', '4');
    expect(out).toMatch(/^nthreads\(\) = 4, threadid\(\) = 1$/m);
    expect(out).toMatch(/^a = \[1, 1, 1, 2, 2, 2, 3, 3, 4, 4\]$/m);
    const racy = Number(/^plain \+= over 1000000 iterations: (\d+)$/m.exec(out)?.[1]);
    expect(racy).toBeGreaterThan(0);
    expect(racy).toBeLessThanOrEqual(1_000_000);
    expect(out).toMatch(/^Atomic add over 1000000 iterations: 1000000$/m);
  });

  it("shared-array: init fills each worker's localindices; a write on the master is seen by a worker", () => {
    const out = run('shared-array');
    expect(out).toMatch(/S\[2, 1\] on worker \d+: 7/);
    expect(out).toMatch(/T = /);
  });

  it('advection-shared: the columns split over two workers give the serial result', () => {
    expect(run('advection-shared', '40')).toMatch(/shared result equals serial: true/);
  });
});
