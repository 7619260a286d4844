/**
 * powerMethod on a SharedArray split over 2 worker processes, against the same on a DArray over 2
 * workers (column blocks, as bench/darray-power.ts) and on an NDArray with 2 kernel threads
 * (startKernelThreads), in one run, as ratios. n = 4096, float64, 50 iterations by default.
 * Run: npm run build && npm run bench -- shared   (BENCH_N, BENCH_ITERS, BENCH_ROUNDS to change)
 */
import {
  type AnyArray,
  addprocs,
  type DArray,
  distribute,
  kernelStatus,
  type NDArray,
  powerMethod,
  rand,
  rmprocs,
  SharedArray,
  startKernelThreads,
} from '../src/index.js';
import { type Row, report } from './lib/report.js';

const N = Number(process.env.BENCH_N ?? 4096);
const ITERS = Number(process.env.BENCH_ITERS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// The NDArray side uses 2 kernel threads, the same core count as the 2 worker processes.
process.env.DARRAY_THREADS ??= '2';

/** Seconds per iteration of one powerMethod run. */
async function perIter(M: AnyArray, v: AnyArray, iters: number): Promise<number> {
  const t = performance.now();
  const [x] = await powerMethod(M, v, { iters });
  const s = (performance.now() - t) / 1000 / iters;
  x.dispose?.();
  return s;
}

async function main() {
  const M = rand([N, N], { seed: 1 }) as NDArray;
  const v = rand([N], { seed: 2 }) as NDArray;
  const pids = await addprocs(2, { env: { DARRAY_THREADS: '1' } });
  const sM = await SharedArray.create('float64', [N, N], { pids });
  const sv = await SharedArray.create('float64', [N], { pids });
  sM.data.set(M.data);
  sv.data.set(v.data);
  const dM = (await distribute(M, { procs: pids, dist: [1, pids.length] })) as DArray;
  const dv = (await distribute(v, { procs: pids })) as DArray;
  await startKernelThreads();
  const sides: [string, AnyArray, AnyArray][] = [
    ['SharedArray, 2 processes', sM, sv],
    ['DArray, 2 workers', dM, dv],
    [`NDArray, ${kernelStatus().threads} kernel threads`, M, v],
  ];
  const best = sides.map(() => Number.POSITIVE_INFINITY);
  for (const [, A, x] of sides) await perIter(A, x, 2);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, A, x]] of sides.entries())
      best[i] = Math.min(best[i] as number, await perIter(A, x, ITERS));
    console.log(
      `round ${r + 1}/${ROUNDS}: ${sides.map(([l], i) => `${l} ${((best[i] as number) * 1e3).toFixed(2)}`).join(', ')} ms/iter`,
    );
  }
  await sM.close();
  await sv.close();
  dM.close();
  dv.close();
  await rmprocs(pids);
  const ours = best[0] as number;
  const rows: Row[] = sides.slice(1).map(([label], i) => ({
    metric: `SharedArray vs ${label}`,
    ours: ours * 1e3,
    peer: (best[i + 1] as number) * 1e3,
    unit: 'ms/iter',
    ratio: ours / (best[i + 1] as number),
    note: `best of ${ROUNDS} rounds of ${ITERS} iterations`,
  }));
  report('shared', rows, { n: N, iters: ITERS, rounds: ROUNDS, wasm: kernelStatus().wasm });
}

await main();
