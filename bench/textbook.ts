/**
 * The manual's textbook power loop, written by a user with await
 *     y = await mul(M, v); s = await norm(y); v = await broadcast((a, b) => a / b, y, s)
 * against the library's powerMethod on the same arrays, in alternating rounds: a DArray in the
 * default row blocks on 2 local workers (n = 8192 float64, and n = 256 where latency dominates),
 * and a GPUArray on WebGPU (float32; lavapipe here, so it checks correctness and relative cost).
 * Also the frames every process sends per iteration of each loop on the DArray.
 * Run: npm run build && npm run bench -- textbook   (target: textbook ≤ 1.1× powerMethod at n = 8192)
 *      (BENCH_N, BENCH_ITERS, BENCH_ROUNDS, BENCH_GPU_N; BENCH_GPU=0 skips the GPU)
 */
import '../src/backends.js';
import { gpu, gpuBackend, scope } from '../gpu/index.js';
import {
  type AnyArray,
  addprocs,
  broadcast,
  type DArray,
  drand,
  mul,
  norm,
  powerMethod,
  procs,
  rand,
  release,
  remotecallFetch,
  rmprocs,
  wireStats,
} from '../src/index.js';
import { median, type Row, report } from './lib/report.js';

const N = Number(process.env.BENCH_N ?? 8192);
const ITERS = Number(process.env.BENCH_ITERS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SMALL = 256;
const GPU_N = Number(process.env.BENCH_GPU_N ?? 2048);

/** The user's loop, exactly as in the manual: every step awaited, nothing freed by hand. */
async function textbook(M: AnyArray, v0: AnyArray, iters: number): Promise<[AnyArray, number]> {
  let v = v0;
  let s = 0;
  for (let i = 0; i < iters; i++) {
    const y = await mul(M, v);
    s = await norm(y);
    v = await broadcast((a, b) => a / b, y, s);
  }
  return [v, s];
}

type Loop = (M: AnyArray, v: AnyArray, iters: number) => Promise<[AnyArray, number]>;
const library: Loop = (M, v, iters) => powerMethod(M, v, { iters });

/** Seconds per iteration of one run of `loop` (ending with λ, a number on the caller). */
async function perIter(loop: Loop, M: AnyArray, v: AnyArray, iters: number): Promise<[number, number]> {
  const t = performance.now();
  const [x, lambda] = await loop(M, v, iters);
  const s = (performance.now() - t) / 1000 / iters;
  release(x);
  return [s, lambda];
}

/** Alternating rounds of both loops: medians per iteration and the median of per-round ratios. */
async function paired(M: AnyArray, v: AnyArray, iters: number, rounds: number) {
  await perIter(textbook, M, v, 2);
  await perIter(library, M, v, 2);
  const ours: number[] = [];
  const lib: number[] = [];
  let lambdas: [number, number] = [0, 0];
  for (let r = 0; r < rounds; r++) {
    const [a, la] = await perIter(textbook, M, v, iters);
    const [b, lb] = await perIter(library, M, v, iters);
    ours.push(a);
    lib.push(b);
    lambdas = [la, lb];
  }
  return {
    textbook: median(ours),
    powerMethod: median(lib),
    ratio: median(ours.map((t, i) => t / (lib[i] as number))),
    lambdas,
  };
}

/** Frames sent by every process (the snapshot's own requests and replies: 2 per worker). */
async function totalFrames(): Promise<number> {
  const others = await Promise.all(
    procs()
      .filter((p) => p !== 1)
      .map((p) => remotecallFetch(() => wireStats().framesSent, p)),
  );
  return wireStats().framesSent + others.reduce((a, b) => a + b, 0);
}

async function framesPerIter(loop: Loop, M: AnyArray, v: AnyArray, workers: number): Promise<number> {
  const f0 = await totalFrames();
  const [x] = await loop(M, v, 10);
  const f1 = await totalFrames();
  release(x);
  return (f1 - f0 - 2 * workers) / 10;
}

async function main() {
  const rows: Row[] = [];
  const meta: Record<string, unknown> = { n: N, iters: ITERS, rounds: ROUNDS };
  const pids = await addprocs(2);
  // The default layout, as distribute(M) gives it: row blocks, the vector split like the rows.
  for (const [n, iters, rounds] of [
    [N, ITERS, ROUNDS],
    [SMALL, 200, 3],
  ] as const) {
    const dM = (await drand([n, n], { seed: 1 })) as DArray;
    const dv = (await drand([n], { seed: 2 })) as DArray;
    const r = await paired(dM, dv, iters, rounds);
    const unit = n === SMALL ? 'µs/iter' : 'ms/iter';
    const k = n === SMALL ? 1e6 : 1e3;
    rows.push({
      metric: `DArray n = ${n}, textbook vs powerMethod`,
      ours: r.textbook * k,
      peer: r.powerMethod * k,
      unit,
      ratio: r.ratio,
      target: n === SMALL ? undefined : '≤ 1.1×',
      pass: n === SMALL ? undefined : r.ratio <= 1.1,
      note: `2 workers, row blocks; median of ${rounds} alternating rounds of ${iters} iterations (ratio: median of per-round ratios); λ ${r.lambdas[0].toPrecision(10)} vs ${r.lambdas[1].toPrecision(10)}`,
    });
    if (n === SMALL) {
      rows.push({
        metric: 'frames per iteration, textbook',
        ours: await framesPerIter(textbook, dM, dv, pids.length),
        peer: await framesPerIter(library, dM, dv, pids.length),
        unit: 'frames',
        note: 'all processes; peer column: powerMethod',
      });
    }
    meta[`darray${n}`] = r;
    dM.close();
    dv.close();
  }
  await rmprocs(pids);
  if (process.env.BENCH_GPU !== '0') {
    try {
      const device = (await gpuBackend('webgpu')).device;
      await scope(async () => {
        const M = await gpu(rand([GPU_N, GPU_N], { seed: 1, dtype: 'float32' }), { backend: 'webgpu' });
        const v = await gpu(rand([GPU_N], { seed: 2, dtype: 'float32' }), { backend: 'webgpu' });
        const r = await paired(M, v, 10, 3);
        rows.push({
          metric: `GPUArray n = ${GPU_N} float32, textbook vs powerMethod`,
          ours: r.textbook * 1e3,
          peer: r.powerMethod * 1e3,
          unit: 'ms/iter',
          ratio: r.ratio,
          target: '≤ 1.1×',
          pass: r.ratio <= 1.1,
          note: `${device}; λ ${r.lambdas[0].toPrecision(7)} vs ${r.lambdas[1].toPrecision(7)}`,
        });
        meta.gpu = { device, ...r };
      });
    } catch (e) {
      rows.push({
        metric: 'GPUArray',
        ours: Number.NaN,
        unit: '',
        note: `skipped: ${(e as Error).message}`,
      });
    }
  }
  report('textbook', rows, meta);
}

await main();
