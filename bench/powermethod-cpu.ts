/**
 * powerMethod on NDArray (the CPU backend: native AVX2 or WASM SIMD matvec + worker threads) against NumPy's
 * power_method in the same run: n = 4096 and 8192, float64 and float32, 100 iterations.
 * The two sides alternate in rounds (NumPy in a persistent python3 process), since this machine's
 * memory bandwidth drifts with its neighbours; the table gives each side's best round and the
 * median of the per-round ratios.
 * Run: npm run build && npm run bench -- powermethod-cpu   (target: within 1.15× of NumPy)
 * BENCH_SIZES, BENCH_DTYPES and BENCH_ROUNDS narrow it, e.g. BENCH_SIZES=4096 BENCH_DTYPES=float32.
 */
import { join } from 'node:path';
// The backends (and the WASM heap large arrays live in), as an entry registers them.
import '../src/backends.js';
import { heapHugePages } from '../kernels/wasm/heap.js';
import { wasmStatus } from '../kernels/wasm/module.js';
import { startThreads, threadCount } from '../kernels/wasm/pool.js';
import { kernelStatus } from '../kernels/wasm/status.js';
import { type DType, rand } from '../src/array/index.js';
import { powerMethod } from '../src/linalg/index.js';
import { bestOf, PairedRounds, PeerProcess, printTable, repoRoot, writeResult } from './common.js';
import { hugePageNote } from './lib/huge-pages.js';

const ITERS = 100;
const settle = () => new Promise((r) => setTimeout(r, 500));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const sizes = (process.env.BENCH_SIZES ?? '4096,8192').split(',').map(Number);
const dtypes = (process.env.BENCH_DTYPES ?? 'float64,float32').split(',') as DType[];

const threads = (await startThreads()) ? threadCount() : 1;
const status = wasmStatus();
const matvecKind = kernelStatus().matvec;
console.log(
  `darray: WASM kernels ${status.loaded ? 'loaded' : `not loaded (${status.reason})`}, ${threads} thread(s), matvec ${matvecKind}`,
);
const rows: Record<string, string | number>[] = [];
// Read after the first matrix is made: the heap is advised as it grows (DARRAY_HUGEPAGES=0 turns
// that off, to measure what it is worth).
let heapHuge = '';
let numpyThreads: number | null = null;
let peerNote = '';
const hugeNotes: string[] = [];
for (const n of sizes)
  for (const dtype of dtypes) {
    const M = rand([n, n], { dtype, seed: 1 });
    const v = rand([n], { dtype, seed: 2 });
    if (!heapHuge) {
      const h = heapHugePages();
      heapHuge = h.advised ? `advised (THP: ${h.thp})` : `not advised: ${h.reason}`;
      console.log(`darray: WASM heap ${heapHuge}`);
    }
    // Enough warm-up iterations for V8 to optimise the small per-iteration ops as well.
    await powerMethod(M, v, { iters: 30 });
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
    const paired = new PairedRounds();
    const runOurs = () =>
      bestOf(1, async () => {
        lambda = (await powerMethod(M, v, { iters: ITERS }))[1];
      });
    for (let round = 0; round < ROUNDS; round++) {
      // OpenBLAS threads keep spinning for a while after NumPy's round; let them settle so that
      // neither side is measured under the other's leftover load. The sides take turns going
      // first, so a drift within a round favours neither.
      if (!started.ok) {
        await settle();
        ours = Math.min(ours, await runOurs());
        continue;
      }
      const runTheirs = async () => {
        const r = await started.value.peer.request<{ seconds: number; lambda: number }>();
        numpyLambda = r.lambda;
        return r.seconds;
      };
      await settle();
      const first = round % 2 === 0 ? await runOurs() : await runTheirs();
      await settle();
      const second = round % 2 === 0 ? await runTheirs() : await runOurs();
      if (round % 2 === 0) paired.add(first, second);
      else paired.add(second, first);
    }
    if (started.ok) ours = paired.best().ours;
    const theirs = started.ok ? paired.best().theirs : Number.NaN;
    // Read while both sides still hold their matrices.
    const huge = started.ok
      ? hugePageNote([
          ['NumPy', [started.value.peer.pid ?? -1]],
          ['darray', [process.pid]],
        ])
      : undefined;
    if (huge) hugeNotes.push(`n = ${n} ${dtype}: ${huge}`);
    if (started.ok) started.value.peer.close();
    rows.push({
      n,
      dtype,
      'darray s': ours,
      'numpy s': started.ok ? theirs : 'skipped',
      'best/best': started.ok ? ours / theirs : 'n/a',
      'median of paired': started.ok ? paired.medianRatio() : 'n/a',
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
    : `NumPy ran with its default BLAS threads (${numpyThreads ?? 'unknown'}); darray with ${threads}. Rounds: ${ROUNDS}, alternating; best/best compares each side's best round, median of paired is the median of the per-round ratios (darray ÷ NumPy).`,
);
for (const h of hugeNotes) console.log(h);
const file = writeResult('powermethod-cpu', {
  iters: ITERS,
  rounds: ROUNDS,
  threads,
  matvec: matvecKind,
  numpyThreads,
  rows,
  peerNote,
  hugePages: hugeNotes,
  heapHugePages: heapHuge,
});
console.log(`results: ${file}`);
