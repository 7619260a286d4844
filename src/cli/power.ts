/**
 * The main job: a power method over a matrix split by rows across local workers. Each worker
 * builds and keeps its own row block; every iteration sends it the current vector and gathers
 * its part of M·v.
 */
import { cpus } from 'node:os';
import { SingleBar } from 'cli-progress';
import { rand } from '../array/create.js';
import type { DType } from '../array/dtype.js';
import { NDArray } from '../array/ndarray.js';
import { mul, norm } from '../array/ops.js';
import { addprocs, rmprocs } from '../cluster/processes.js';
import { remotecall, remotecallFetch } from '../remote/calls.js';

export interface PowerJobOptions {
  n: number;
  workers: number;
  iters: number;
  dtype: 'float64' | 'float32';
  seed: number;
}

export const defaultWorkers = (): number => Math.max(1, Math.min(4, cpus().length));

export interface PowerJobResult {
  lambda: number;
  secondsPerIter: number;
  gbPerSecond: number;
}

export async function runPowerJob(
  opts: PowerJobOptions,
  log: (line: string) => void = console.log,
): Promise<PowerJobResult> {
  const { n, iters, dtype, seed } = opts;
  log(`power method: n = ${n}, ${dtype}, ${iters} iterations, ${opts.workers} local workers`);
  const pids = await addprocs(opts.workers);
  try {
    const per = Math.ceil(n / pids.length);
    const blocks = pids.map((p, i) => ({ p, lo: Math.min(n, i * per), hi: Math.min(n, (i + 1) * per) }));
    await Promise.all(
      blocks.map(({ p, lo, hi }) =>
        remotecallFetch(
          (rows: number, cols: number, dt: DType, s: number) => {
            // Symmetric-looking positive matrix: a clear dominant eigenvalue, so the method converges.
            (globalThis as Record<string, unknown>).__powerBlock = rand([rows, cols], { dtype: dt, seed: s });
          },
          p,
          hi - lo,
          n,
          dtype,
          seed + lo,
        ),
      ),
    );
    const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
    let v = new NDArray(new Ctor(n).fill(1 / Math.sqrt(n)), [n]);
    const bar = process.stderr.isTTY
      ? new SingleBar({ format: 'iterations [{bar}] {value}/{total} {eta}s left' })
      : undefined;
    bar?.start(iters, 0);
    const t0 = performance.now();
    let lambda = 0;
    for (let it = 0; it < iters; it++) {
      const parts: NDArray[] = await Promise.all(
        blocks.map(({ p }) =>
          remotecall(
            (x: NDArray): Promise<NDArray> =>
              mul((globalThis as unknown as { __powerBlock: NDArray }).__powerBlock, x),
            p,
            v,
          ).fetch(),
        ),
      );
      const y = new NDArray(new Ctor(n), [n]);
      for (const [i, part] of parts.entries()) y.data.set(part.data, blocks[i]?.lo ?? 0);
      lambda = await norm(y);
      for (let i = 0; i < n; i++) y.data[i] = (y.data[i] as number) / lambda;
      v = y;
      bar?.increment();
    }
    bar?.stop();
    const secondsPerIter = (performance.now() - t0) / 1000 / Math.max(1, iters);
    const bytes = n * n * (dtype === 'float32' ? 4 : 8);
    const result = { lambda, secondsPerIter, gbPerSecond: bytes / secondsPerIter / 1e9 };
    log(`lambda = ${lambda}`);
    log(
      `time per iteration: ${(secondsPerIter * 1e3).toFixed(2)} ms (${result.gbPerSecond.toFixed(2)} GB/s of matrix read)`,
    );
    return result;
  } finally {
    await rmprocs(pids);
  }
}
