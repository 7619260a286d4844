/**
 * The manual's textbook power loop, written by a user with await
 *     y = await mul(M, v); s = await norm(y); v = await broadcast((a, b) => a / b, y, s)
 * against the library's powerMethod on the same arrays, in alternating rounds: a DArray in the
 * default row blocks on 2 local workers (n = 8192 float64, and n = 256 where latency dominates),
 * and a GPUArray on WebGPU (float32; lavapipe here, so it checks correctness and relative cost),
 * with the lookahead on (as users get it) and off.
 * Also the frames every process sends per iteration of each loop on the DArray.
 * Run: npm run build && npm run bench -- textbook   (target: textbook ≤ 1.1× powerMethod at n = 8192)
 *      (BENCH_N, BENCH_ITERS, BENCH_ROUNDS for the DArray, BENCH_DARRAY=0 skips it; BENCH_GPU_N, a
 *      size or a list such as 8192,16384,32768, BENCH_GPU_ITERS, BENCH_GPU_ROUNDS for the GPU,
 *      BENCH_GPU=0 skips it; BENCH_WARM_ITERS and BENCH_WARM_MS bound each loop's warm-up, 1000
 *      iterations or 3 s)
 */
import '../src/backends.js';
import { gpuBackend, scope } from '../gpu/index.js';
import type { WebGPUBackend } from '../kernels/webgpu/backend.js';
import { lookaheadOf } from '../kernels/webgpu/lookahead.js';
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
const GPU_NS = (process.env.BENCH_GPU_N ?? '2048').split(',').map(Number);
const GPU_ITERS = Number(process.env.BENCH_GPU_ITERS ?? 30);
const GPU_ROUNDS = Number(process.env.BENCH_GPU_ROUNDS ?? 5);
const WARM_ITERS = Number(process.env.BENCH_WARM_ITERS ?? 1000);
const WARM_MS = Number(process.env.BENCH_WARM_MS ?? 3000);

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

/**
 * Runs `loop` until it has made WARM_ITERS iterations or WARM_MS have passed. Both loops are
 * mostly JavaScript where an iteration is short (n = 256 on workers, any GPU size), and V8 only
 * optimises a function after many calls: a few iterations of warm-up measured the compiler, as the
 * round-trip benchmark's first thousand calls do.
 */
async function warmUp(loop: Loop, M: AnyArray, v: AnyArray): Promise<void> {
  const start = performance.now();
  for (let done = 0; done < WARM_ITERS && performance.now() - start < WARM_MS; done += 50)
    await perIter(loop, M, v, 50);
}

/** Rounds of both loops, in alternating order: medians per iteration and the median of per-round ratios. */
async function paired(M: AnyArray, v: AnyArray, iters: number, rounds: number) {
  await warmUp(textbook, M, v);
  await warmUp(library, M, v);
  const ours: number[] = [];
  const lib: number[] = [];
  let lambdas: [number, number] = [0, 0];
  for (let r = 0; r < rounds; r++) {
    // Which loop goes first alternates, so that a drift in the machine's speed over a run (this VM's
    // swings by a third) does not always land on the same side of the ratio.
    const got = new Map<Loop, [number, number]>();
    for (const loop of r % 2 === 0 ? [textbook, library] : [library, textbook])
      got.set(loop, await perIter(loop, M, v, iters));
    const [a, la] = got.get(textbook) as [number, number];
    const [b, lb] = got.get(library) as [number, number];
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
  if (process.env.BENCH_DARRAY !== '0') await darrayRows(rows, meta);
  if (process.env.BENCH_GPU !== '0') await gpuRows(rows, meta);
  report('textbook', rows, meta);
}

/** The DArray rows: 2 local workers, at BENCH_N and at n = 256. */
async function darrayRows(rows: Row[], meta: Record<string, unknown>): Promise<void> {
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
}

/** The GPUArray rows: WebGPU, float32, matrices made on the device, at each BENCH_GPU_N. */
async function gpuRows(rows: Row[], meta: Record<string, unknown>): Promise<void> {
  try {
    const be = (await gpuBackend('webgpu')) as WebGPUBackend;
    const device = be.device;
    const la = lookaheadOf(be);
    for (const n of GPU_NS)
      await scope(async () => {
        const M = await rand([n, n], { seed: 1, dtype: 'float32', backend: 'webgpu' });
        const v = await rand([n], { seed: 2, dtype: 'float32', backend: 'webgpu' });
        // With the lookahead (kernels/webgpu/lookahead.ts) as users get it, then without, for scale.
        for (const ahead of [true, false]) {
          la.enabled = ahead;
          la.reset();
          const s0 = { ...la.stats };
          const r = await paired(M, v, GPU_ITERS, GPU_ROUNDS);
          const small = r.powerMethod < 1e-3;
          const k = small ? 1e6 : 1e3;
          const used = `${la.stats.claimed - s0.claimed} arrays made ahead used, ${la.stats.wasted - s0.wasted} freed unused`;
          rows.push({
            metric: `GPUArray n = ${n} float32, textbook vs powerMethod${ahead ? '' : ', lookahead off'}`,
            ours: r.textbook * k,
            peer: r.powerMethod * k,
            unit: small ? 'µs/iter' : 'ms/iter',
            ratio: r.ratio,
            target: ahead ? '≤ 1.1×' : undefined,
            pass: ahead ? r.ratio <= 1.1 : undefined,
            note: `${device}; median of ${GPU_ROUNDS} alternating rounds of ${GPU_ITERS} iterations; λ ${r.lambdas[0].toPrecision(7)} vs ${r.lambdas[1].toPrecision(7)}${ahead ? `; ${used}` : ''}`,
          });
          meta[`gpu${n}${ahead ? '' : 'NoLookahead'}`] = { device, ...r, lookahead: ahead };
        }
        la.enabled = true;
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

await main();
