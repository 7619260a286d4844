/**
 * The main job: powerMethod on a DArray across local workers (GPU chunks where an adapter exists),
 * printing λ, the time per iteration and its ratio to the memory-bandwidth bound of the workers.
 */
import { cpus } from 'node:os';
import { SingleBar } from 'cli-progress';
import { barrier } from '../../darray/collectives.js';
import { drand } from '../../darray/construct.js';
import type { DArray } from '../../darray/darray.js';
import { readBandwidth } from '../../kernels/wasm/bandwidth.js';
import { release } from '../array/protocol.js';
import { addprocs, rmprocs } from '../cluster/processes.js';
import { powerMethod } from '../linalg/power-method.js';
import { remotecallFetch } from '../remote/calls.js';

/** The settings of one `darray power` run: matrix order, workers, iterations, dtype, seed, chunk backend. */
export interface PowerJobOptions {
  n: number;
  workers: number;
  iters: number;
  dtype: 'float64' | 'float32';
  seed: number;
  backend: string;
}

/** Workers when none is asked for: one per core, at most 4. */
export const defaultWorkers = (): number => Math.max(1, Math.min(4, cpus().length));

/** What a run measured: λ, seconds per iteration, the matrix read rate and the workers' bandwidth bound (when measured). */
export interface PowerJobResult {
  lambda: number;
  secondsPerIter: number;
  gbPerSecond: number;
  boundGbPerSecond: number | undefined;
}

/** Aggregate read bandwidth of the workers, measured on all of them at once. */
async function workersBandwidth(pids: number[]): Promise<number | undefined> {
  try {
    const each = await Promise.all(
      pids.map((p) =>
        remotecallFetch(async () => {
          await barrier();
          return readBandwidth({ bytes: 128 * 2 ** 20, reps: 6 });
        }, p),
      ),
    );
    return each.reduce((a, b) => a + b, 0);
  } catch {
    return undefined;
  }
}

/** The dtype the chunks hold: GPU chunks are float32 whatever was asked (WebGPU has no f64). */
const computedIn = (dtype: PowerJobOptions['dtype'], backend: string): PowerJobOptions['dtype'] =>
  backend === 'cpu' ? dtype : 'float32';

/** The job's first line: what runs, in which dtype and in which layout. */
export function header(opts: PowerJobOptions, workers: number): string {
  const dt = computedIn(opts.dtype, opts.backend);
  const dtype = dt === opts.dtype ? dt : `${dt} (GPU chunks hold float32; asked for ${opts.dtype})`;
  const layout = opts.backend === 'cpu' ? 'column blocks' : 'row blocks';
  return (
    `power method: n = ${opts.n}, computed in ${dtype}, ${opts.iters} iterations, ` +
    `DArray over ${workers} local worker${workers === 1 ? '' : 's'}, ${opts.backend} chunks in ${layout}`
  );
}

/** The results, one line each, each saying what its figure means. */
export function figures(r: PowerJobResult, bytes: number): string[] {
  const ms = (s: number) => `${(s * 1e3).toFixed(2)} ms`;
  const lines = [
    `λ = ${r.lambda} (the estimate of the matrix's dominant eigenvalue)`,
    `time per iteration: ${ms(r.secondsPerIter)} (one product and its share of the norm checks; ${r.gbPerSecond.toFixed(2)} GB/s of matrix read)`,
  ];
  const bw = r.boundGbPerSecond;
  if (bw !== undefined) {
    const bound = bytes / (bw * 1e9);
    lines.push(
      `bandwidth bound: ${ms(bound)} (the time to read the matrix once at the workers' memory bandwidth, ${bw.toFixed(1)} GB/s measured with all reading at once)`,
      `ratio to the bound: ${(r.secondsPerIter / bound).toFixed(2)}× (time per iteration / bandwidth bound; 1.0 is ideal)`,
    );
  }
  return lines;
}

/**
 * Runs the main job end to end: starts the workers, builds a random n×n DArray, runs powerMethod
 * on it, logs the figures and removes the workers again.
 *
 * @example const r = await runPowerJob({ n: 4096, workers: 4, iters: 20, dtype: 'float64', seed: 1, backend: 'cpu' })
 */
export async function runPowerJob(
  opts: PowerJobOptions,
  log: (line: string) => void = console.log,
): Promise<PowerJobResult> {
  const { n, iters, dtype, seed, backend } = opts;
  const pids = await addprocs(opts.workers);
  log(header(opts, pids.length));
  try {
    const bw = backend === 'cpu' ? await workersBandwidth(pids) : undefined;
    // CPU chunks in column blocks: each worker's product needs only its own piece of the vector, and
    // the partial sums are exchanged while the workers stream their matrices (darray/mul/cols.ts).
    // GPU chunks stay in row blocks, where each product reads back only its own piece.
    const dist = backend === 'cpu' ? [1, pids.length] : undefined;
    const dM = (await drand([n, n], { dtype, seed, backend, dist })) as DArray;
    let v = (await drand([n], { dtype, seed: seed + 1, backend })) as DArray;
    // A short warm-up compiles kernels and opens worker-to-worker connections.
    const [warm] = await powerMethod(dM, v, { iters: 2 });
    release(warm);
    // On a terminal the run goes in ten parts to show progress; each part ends with one extra
    // product (its λ), which the timing below counts.
    const parts = process.stderr.isTTY ? Math.min(10, iters) : 1;
    const bar = parts > 1 ? new SingleBar({ format: 'iterations [{bar}] {value}/{total}' }) : undefined;
    bar?.start(iters, 0);
    let lambda = 0;
    let done = 0;
    const t0 = performance.now();
    for (let k = 0; k < parts; k++) {
      const step = Math.floor(((k + 1) * iters) / parts) - done;
      const [x, l] = await powerMethod(dM, v, { iters: step });
      if (k > 0) release(v);
      v = x as DArray;
      lambda = l;
      done += step;
      bar?.update(done);
    }
    const seconds = (performance.now() - t0) / 1000;
    bar?.stop();
    const products = iters + parts;
    const secondsPerIter = seconds / products;
    const bytes = n * n * (computedIn(dtype, backend) === 'float32' ? 4 : 8);
    const result = {
      lambda,
      secondsPerIter,
      gbPerSecond: bytes / secondsPerIter / 1e9,
      boundGbPerSecond: bw,
    };
    for (const line of figures(result, bytes)) log(line);
    if (bw === undefined) {
      log(
        backend === 'cpu'
          ? 'bandwidth bound: not measured (the WebAssembly kernels are not available)'
          : "bandwidth bound: not measured for GPU chunks (the probe reads the workers' host memory)",
      );
    }
    dM.close();
    v.close();
    return result;
  } finally {
    await rmprocs(pids);
  }
}
