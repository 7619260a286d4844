/**
 * GPU arrays, float32: matvec and powerMethod on each GPU backend side by side, in GB/s of matrix
 * traffic (n²·4 bytes per product), against in the same run: CuPy's `M @ v` (cuBLAS) and its power
 * iteration on the same GPU where CuPy is installed, the device's bandwidth (BENCH_HBM_GBS, e.g. 4800
 * for an H200; CuPy's device-to-device copy is printed as the measured ceiling), and the CPU backend
 * (NDArray: native or WASM SIMD kernel + threads). Then a DArray whose chunks live on the GPU, its
 * workers sharing the one device. WebGPU matrices are made on the device (rand with backend
 * 'webgpu'), so n = 32768 (4 GiB, bound in row blocks) needs no host copy; the CPU and the backends
 * that upload from the host run up to BENCH_HOST_MAX. On a machine without a GPU the WebGPU adapter
 * is lavapipe and gpu.js runs WebAssembly kernels: the figures then show correctness and overhead.
 * GPU timings end with a readback, since WebGPU work is asynchronous until then.
 * Run: npm run build && npm run bench -- gpu
 *      Env: BENCH_SIZES (default 4096,8192), BENCH_BACKENDS (webgpu,tfjs,gpujs), BENCH_HOST_MAX (8192),
 *      BENCH_ITERS (powerMethod's, 100), BENCH_REPS (matvecs per timing, 20), BENCH_WARM_S (0.5),
 *      BENCH_HBM_GBS, BENCH_CUPY=0,
 *      BENCH_DARRAY_P (workers of the GPU DArray, 2; 0 skips it)
 *      On an H200: BENCH_SIZES=8192,16384,32768 BENCH_HBM_GBS=4800 npm run bench -- gpu
 */

// The backends (and the WASM heap large arrays live in), as an entry registers them.
import '../src/backends.js';
import { join } from 'node:path';
import { type GPUBackendName, gpu, gpuBackend, scope } from '../gpu/index.js';
import { startThreads, threadCount } from '../kernels/wasm/pool.js';
import { kernelStatus } from '../kernels/wasm/status.js';
import { type AnyArray, array, broadcast, collect, mul, norm, rand } from '../src/array/index.js';
import { addprocs, type DArray, drand, release, rmprocs } from '../src/index.js';
import { powerMethod } from '../src/linalg/index.js';
import { repoRoot, runPeer } from './common.js';
import { median, type Row, report } from './lib/report.js';

const sizes = (process.env.BENCH_SIZES ?? '4096,8192').split(',').map(Number);
const names = (process.env.BENCH_BACKENDS ?? 'webgpu,tfjs,gpujs').split(',') as GPUBackendName[];
const HOST_MAX = Number(process.env.BENCH_HOST_MAX ?? 8192);
const ITERS = Number(process.env.BENCH_ITERS ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 20);
/** Seconds of work before each timing: an idle GPU clocks down and takes a while to come back up. */
const WARM_S = Number(process.env.BENCH_WARM_S ?? 0.5);
const HBM = Number(process.env.BENCH_HBM_GBS ?? 0);
const DARRAY_P = Number(process.env.BENCH_DARRAY_P ?? 2);

interface CupyResult {
  device: string;
  cupy: string;
  copy_gbs: number;
  sizes: Record<string, { matvec_s: number; matvec_gbs: number; power_iter_s: number; lambda: number }>;
}

// CuPy first, alone on the device: its memory pool is gone when it exits.
const cupy =
  process.env.BENCH_CUPY === '0'
    ? ({ ok: false, reason: 'BENCH_CUPY=0' } as const)
    : runPeer<CupyResult>('python3', [
        join(repoRoot(), 'bench/peers/cupy_matvec.py'),
        sizes.join(','),
        String(REPS),
        String(ITERS),
      ]);
console.log(cupy.ok ? `CuPy ${cupy.value.cupy} on ${cupy.value.device}` : `CuPy: ${cupy.reason}`);

const threads = (await startThreads()) ? threadCount() : 1;
const devices: Record<string, string> = {
  cpu: `NDArray (matvec ${kernelStatus().matvec}, ${threads} thread(s))`,
};
for (const name of names) {
  try {
    devices[name] = (await gpuBackend(name)).device;
  } catch (e) {
    devices[name] = `unavailable: ${(e as Error).message}`;
  }
}
console.log(devices);

/** Runs `fn` for WARM_S seconds (at least once). */
async function warmUp(fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  do await fn();
  while (performance.now() - t0 < WARM_S * 1000);
}

/**
 * Seconds per matrix–vector product: the median of 7 timings, each of at least REPS products and
 * at least 50 ms of them (short bursts on a large GPU time its clocks as much as the kernel), then
 * one readback so the GPU has finished. The best timing goes in `best`.
 */
async function matvecSeconds(M: AnyArray, v: AnyArray, best: { s?: number } = {}): Promise<number> {
  return scope(async () => {
    /** `reps` products, then one read-back so the GPU has finished them. */
    const burst = async (reps: number) => {
      let y: AnyArray = v;
      for (let i = 0; i < reps; i++) {
        release(y, v);
        y = await mul(M, v);
      }
      await collect(y);
      release(y);
    };
    // Compiles kernels, fills pools, and brings the GPU's clocks up, in the bursts the timings use;
    // also a first estimate of a product's time.
    let calls = 0;
    const w0 = performance.now();
    await warmUp(async () => {
      await burst(REPS);
      calls += REPS;
    });
    const per = (performance.now() - w0) / calls; // ms
    // Slow backends (gpu.js on WebAssembly: 0.1 s a product) get a few products per timing.
    const reps = Math.max(per < 5 ? REPS : 3, Math.ceil(50 / per));
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      await burst(reps);
      times.push((performance.now() - t0) / 1000 / reps);
    }
    best.s = Math.min(...times);
    return median(times);
  });
}

/** Seconds per powerMethod iteration (ITERS iterations; λ is read back, which synchronises). */
async function powerSeconds(M: AnyArray, v: AnyArray): Promise<{ s: number; lambda: number }> {
  return scope(async () => {
    await warmUp(async () => release((await powerMethod(M, v, { iters: 2 }))[0], v));
    const t0 = performance.now();
    const [x, lambda] = await powerMethod(M, v, { iters: ITERS });
    const s = (performance.now() - t0) / 1000 / ITERS;
    release(x);
    return { s, lambda };
  });
}

const rows: Row[] = [];
const gbs = (n: number, s: number) => (n * n * 4) / s / 1e9;
const peerOf = (n: number) => (cupy.ok ? cupy.value.sizes[String(n)] : undefined);

/** Median seconds of `fn` over 30 calls, after 3. */
async function latency(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  return median(t);
}

/**
 * The rows of one backend's matvec and powerMethod at size n, against CuPy, the HBM and the CPU.
 * `targets`: whether the issue's targets apply (a single GPUArray; not a DArray of processes).
 */
function gpuRows(
  n: number,
  name: string,
  mv: number,
  pm: { s: number; lambda: number },
  note: string,
  targets = true,
) {
  const peer = targets ? peerOf(n) : undefined;
  const vs = peerOf(n);
  rows.push({
    metric: `matvec n=${n} ${name}`,
    ours: gbs(n, mv),
    peer: peer?.matvec_gbs,
    unit: 'GB/s',
    ratio: peer ? peer.matvec_s / mv : undefined,
    target: peer ? '≥ 0.9× CuPy' : undefined,
    pass: peer ? peer.matvec_s / mv >= 0.9 : undefined,
    note: `${note}${vs ? (peer ? '' : `; CuPy's M @ v: ${vs.matvec_gbs.toFixed(0)} GB/s`) : '; peer: none (CuPy did not run)'}`,
  });
  if (HBM > 0 && targets)
    rows.push({
      metric: `matvec n=${n} ${name}, share of HBM`,
      ours: gbs(n, mv) / HBM,
      peer: peer ? peer.matvec_gbs / HBM : undefined,
      unit: 'fraction',
      target: '≥ 0.70',
      pass: gbs(n, mv) / HBM >= 0.7,
      note: `of BENCH_HBM_GBS=${HBM}${cupy.ok ? `; CuPy's device copy moved ${cupy.value.copy_gbs.toFixed(0)} GB/s` : ''}`,
    });
  rows.push({
    metric: `powerMethod n=${n} ${name}`,
    ours: pm.s * 1e3,
    peer: peer ? peer.power_iter_s * 1e3 : undefined,
    unit: 'ms/iter',
    ratio: peer ? peer.power_iter_s / pm.s : undefined,
    note: `${(pm.s / mv).toFixed(2)}× one matvec; λ=${pm.lambda.toPrecision(7)}${vs ? ` (CuPy ${vs.lambda.toPrecision(7)}, its own random matrix; ${(vs.power_iter_s * 1e3).toFixed(3)} ms/iter)` : ''}`,
  });
}

for (const n of sizes) {
  const host = n <= HOST_MAX;
  const M = host ? rand([n, n], { dtype: 'float32', seed: 1 }) : undefined;
  const v = host ? rand([n], { dtype: 'float32', seed: 2 }) : undefined;
  let cpuMv: number | undefined;
  if (M && v) {
    cpuMv = await matvecSeconds(M, v);
    const cpuPm = await powerSeconds(M, v);
    rows.push({ metric: `matvec n=${n} cpu`, ours: gbs(n, cpuMv), unit: 'GB/s', note: devices.cpu });
    rows.push({
      metric: `powerMethod n=${n} cpu`,
      ours: cpuPm.s * 1e3,
      unit: 'ms/iter',
      note: `λ=${cpuPm.lambda.toPrecision(7)}`,
    });
  }
  for (const name of names) {
    if (devices[name]?.startsWith('unavailable')) continue;
    if (name !== 'webgpu' && !host) continue;
    const ran = await scope(async () => {
      const t0 = performance.now();
      let gM: AnyArray;
      let gv: AnyArray;
      try {
        // WebGPU makes the numbers on the device (the same ones the host makes for a seed).
        gM = M
          ? await gpu(M, { backend: name })
          : await rand([n, n], { dtype: 'float32', seed: 1, backend: name });
        gv = v
          ? await gpu(v, { backend: name })
          : await rand([n], { dtype: 'float32', seed: 2, backend: name });
        await collect(gv);
      } catch (e) {
        return (e as Error).message;
      }
      const made = (performance.now() - t0) / 1000;
      const fastest: { s?: number } = {};
      const mv = await matvecSeconds(gM, gv, fastest);
      const pm = await powerSeconds(gM, gv);
      const vsCpu = `; best of 7 timings ${gbs(n, fastest.s ?? mv).toFixed(0)} GB/s${cpuMv ? `; ${(cpuMv / mv).toPrecision(3)}× the CPU backend` : ''}`;
      gpuRows(
        n,
        name,
        mv,
        pm,
        `${devices[name]}; ${M ? 'upload' : 'made on the device in'} ${made.toFixed(2)} s${vsCpu}`,
      );
      if (name === 'webgpu') {
        const one = await gpu(array([1]), { backend: name });
        const read = await latency(() => collect(one));
        rows.push({
          metric: `await norm(v), n=${n} ${name}`,
          ours: (await latency(() => norm(gv))) * 1e6,
          unit: 'µs',
          note: `a reduction and the read-back of its scalar; reading back one float alone: ${(read * 1e6).toFixed(0)} µs`,
        });
        // What JavaScript spends to launch a small kernel (the GPU runs them meanwhile): it decides
        // a user's loop of small steps, as the textbook power loop's division and norm are.
        const launches = async () => {
          for (let i = 0; i < 100; i++) release(await broadcast((a: number, s: number) => a / s, gv, 2));
        };
        rows.push({
          metric: `launch a vector op, n=${n} ${name}`,
          ours: ((await latency(launches)) / 100) * 1e6,
          unit: 'µs',
          note: 'await broadcast((a, s) => a / s, v, 2) and dispose, 100 in a row, no read-back: host time per op',
        });
      }
      return undefined;
    });
    if (ran)
      rows.push({ metric: `matvec n=${n} ${name}`, ours: Number.NaN, unit: 'GB/s', note: `skipped: ${ran}` });
  }
}

// A DArray whose chunks (row blocks) are on the GPU: its workers share the one device, each with
// its own WebGPU device, as several processes share a GPU.
if (DARRAY_P > 0 && names.includes('webgpu') && !devices.webgpu?.startsWith('unavailable')) {
  const pids = await addprocs(DARRAY_P);
  try {
    for (const n of sizes) {
      const dM = (await drand([n, n], { seed: 1, procs: pids, backend: 'webgpu' })) as DArray;
      const dv = (await drand([n], { seed: 2, procs: pids, backend: 'webgpu' })) as DArray;
      const mv = await matvecSeconds(dM, dv);
      const pm = await powerSeconds(dM, dv);
      gpuRows(
        n,
        `DArray(${DARRAY_P} workers, webgpu chunks)`,
        mv,
        pm,
        `${DARRAY_P} processes on one GPU, row blocks; each product gathers the vector through the host`,
        false,
      );
      dM.close();
      dv.close();
    }
  } catch (e) {
    rows.push({
      metric: 'DArray on the GPU',
      ours: Number.NaN,
      unit: 'GB/s',
      note: `skipped: ${(e as Error).message}`,
    });
  } finally {
    await rmprocs(pids);
  }
}

report('gpu', rows, {
  devices,
  iters: ITERS,
  reps: REPS,
  sizes,
  hbmGBs: HBM || undefined,
  cupy: cupy.ok ? cupy.value : cupy.reason,
});
process.exit(0);
