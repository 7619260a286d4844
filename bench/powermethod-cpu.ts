/**
 * powerMethod on NDArray (the CPU backend: WASM SIMD matvec + worker threads) against NumPy's
 * power_method in the same run: n = 4096 and 8192, float64 and float32, 100 iterations.
 * The two sides alternate in rounds (NumPy in a persistent python3 process) and each keeps its
 * best round, since this machine's memory bandwidth drifts with its neighbours.
 * Run: npm run build && npm run bench -- powermethod-cpu   (target: within 1.25× of NumPy)
 */
import { join } from 'node:path';
import { wasmStatus } from '../kernels/wasm/module.js';
import { startThreads, threadCount } from '../kernels/wasm/pool.js';
import { type DType, rand } from '../src/array/index.js';
import { powerMethod } from '../src/linalg/index.js';
import { bestOf, PeerProcess, printTable, repoRoot, writeResult } from './common.js';

const ITERS = 100;
const settle = () => new Promise((r) => setTimeout(r, 500));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const sizes = (process.env.BENCH_SIZES ?? '4096,8192').split(',').map(Number);
const dtypes: DType[] = ['float64', 'float32'];

const threads = (await startThreads()) ? threadCount() : 1;
const status = wasmStatus();
console.log(
  `darray: WASM kernels ${status.loaded ? 'loaded' : `not loaded (${status.reason})`}, ${threads} thread(s)`,
);
const rows: Record<string, string | number>[] = [];
let numpyThreads: number | null = null;
let peerNote = '';
for (const n of sizes)
  for (const dtype of dtypes) {
    const M = rand([n, n], { dtype, seed: 1 });
    const v = rand([n], { dtype, seed: 2 });
    await powerMethod(M, v, { iters: 3 });
    const started = await PeerProcess.start<{ threads: number | null }>('python3', [
      join(repoRoot(), 'bench/peers/powermethod.py'),
      String(n),
      dtype,
      String(ITERS),
    ]);
    if (!started.ok) peerNote = started.reason;
    else numpyThreads = started.value.hello.threads;
    let lambda = 0;
    let numpyLambda = Number.NaN;
    let ours = Number.POSITIVE_INFINITY;
    let theirs = Number.POSITIVE_INFINITY;
    for (let round = 0; round < ROUNDS; round++) {
      // OpenBLAS threads keep spinning for a while after NumPy's round; let them settle so that
      // neither side is measured under the other's leftover load.
      await settle();
      const t = await bestOf(1, async () => {
        lambda = (await powerMethod(M, v, { iters: ITERS }))[1];
      });
      ours = Math.min(ours, t);
      if (started.ok) {
        await settle();
        const r = await started.value.peer.request<{ seconds: number; lambda: number }>();
        theirs = Math.min(theirs, r.seconds);
        numpyLambda = r.lambda;
      }
    }
    if (started.ok) started.value.peer.close();
    rows.push({
      n,
      dtype,
      'darray s': ours,
      'numpy s': started.ok ? theirs : 'skipped',
      'darray/numpy': started.ok ? ours / theirs : 'n/a',
      'darray GB/s': (n * n * (dtype === 'float64' ? 8 : 4) * (ITERS + 1)) / ours / 1e9,
      // The sides draw different random matrices, so λ (≈ n/2) differs slightly.
      lambda,
      'numpy lambda': started.ok ? numpyLambda : 'n/a',
    });
  }
printTable(rows);
console.log(
  peerNote
    ? `NumPy peer skipped: ${peerNote}`
    : `NumPy ran with its default BLAS threads (${numpyThreads ?? 'unknown'}); darray with ${threads}. Best of ${ROUNDS} alternating rounds.`,
);
const file = writeResult('powermethod-cpu', {
  iters: ITERS,
  rounds: ROUNDS,
  threads,
  numpyThreads,
  rows,
  peerNote,
});
console.log(`results: ${file}`);
