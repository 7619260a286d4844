/**
 * GPU arrays: matvec and powerMethod (float32, n = 4096 and 8192) on each GPU backend, in GB/s of
 * matrix traffic (n²·4 bytes per product), against the CPU backend (NDArray: WASM SIMD + threads)
 * in the same run. On this machine the WebGPU adapter is lavapipe (a software Vulkan driver) and
 * gpu.js runs WebAssembly kernels, so the figures show correctness and overhead, not GPU speed.
 * GPU timings end with a readback, since WebGPU work is asynchronous until then.
 * Run: npm run build && npm run bench -- gpu
 *      (BENCH_SIZES=4096 BENCH_BACKENDS=webgpu,tfjs BENCH_ITERS=10 to narrow it)
 */

// The backends (and the WASM heap large arrays live in), as an entry registers them.
import '../src/backends.js';
import { type GPUBackendName, gpu, gpuBackend, scope } from '../gpu/index.js';
import { startThreads, threadCount } from '../kernels/wasm/pool.js';
import { kernelStatus } from '../kernels/wasm/status.js';
import { type AnyArray, collect, mul, type NDArray, rand } from '../src/array/index.js';
import { powerMethod } from '../src/linalg/index.js';
import { median, type Row, report } from './lib/report.js';

const sizes = (process.env.BENCH_SIZES ?? '4096,8192').split(',').map(Number);
const names = (process.env.BENCH_BACKENDS ?? 'webgpu,tfjs,gpujs').split(',') as GPUBackendName[];
const ITERS = Number(process.env.BENCH_ITERS ?? 20);
const REPS = Number(process.env.BENCH_REPS ?? 5);

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

/** Seconds per matrix–vector product: REPS products, then one readback so the GPU has finished. */
async function matvecSeconds(M: AnyArray, v: AnyArray): Promise<number> {
  return scope(async () => {
    await collect(await mul(M, v)); // warm-up: compiles kernels, fills pools
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      let y: AnyArray = v;
      for (let i = 0; i < REPS; i++) y = await mul(M, v);
      await collect(y);
      times.push((performance.now() - t0) / 1000 / REPS);
    }
    return median(times);
  });
}

/** Seconds per powerMethod iteration (ITERS iterations; λ is read back, which synchronises). */
async function powerSeconds(M: AnyArray, v: AnyArray): Promise<{ s: number; lambda: number }> {
  return scope(async () => {
    await powerMethod(M, v, { iters: 2 });
    const t0 = performance.now();
    const [, lambda] = await powerMethod(M, v, { iters: ITERS });
    return { s: (performance.now() - t0) / 1000 / ITERS, lambda };
  });
}

const rows: Row[] = [];
const gbs = (n: number, s: number) => (n * n * 4) / s / 1e9;
for (const n of sizes) {
  const M: NDArray = rand([n, n], { dtype: 'float32', seed: 1 });
  const v: NDArray = rand([n], { dtype: 'float32', seed: 2 });
  const cpuMv = await matvecSeconds(M, v);
  const cpuPm = await powerSeconds(M, v);
  rows.push({ metric: `matvec n=${n} cpu`, ours: gbs(n, cpuMv), unit: 'GB/s', note: devices.cpu });
  rows.push({
    metric: `powerMethod n=${n} cpu`,
    ours: gbs(n, cpuPm.s),
    unit: 'GB/s',
    note: `λ=${cpuPm.lambda}`,
  });
  for (const name of names) {
    if (devices[name]?.startsWith('unavailable')) continue;
    const ran = await scope(async () => {
      const t0 = performance.now();
      let gM: Awaited<ReturnType<typeof gpu>>;
      try {
        gM = await gpu(M, { backend: name });
      } catch (e) {
        return (e as Error).message;
      }
      const gv = await gpu(v, { backend: name });
      await collect(gv);
      const upload = (performance.now() - t0) / 1000;
      const mv = await matvecSeconds(gM, gv);
      const pm = await powerSeconds(gM, gv);
      const rel = Math.abs(pm.lambda - cpuPm.lambda) / cpuPm.lambda;
      rows.push({
        metric: `matvec n=${n} ${name}`,
        ours: gbs(n, mv),
        peer: gbs(n, cpuMv),
        unit: 'GB/s',
        ratio: cpuMv / mv,
        note: `${devices[name]}; upload ${upload.toFixed(2)} s`,
      });
      rows.push({
        metric: `powerMethod n=${n} ${name}`,
        ours: gbs(n, pm.s),
        peer: gbs(n, cpuPm.s),
        unit: 'GB/s',
        ratio: cpuPm.s / pm.s,
        pass: rel < 1e-3,
        note: `λ=${pm.lambda} (cpu ${cpuPm.lambda}, rel. diff ${rel.toExponential(1)}); ${(pm.s * 1e3).toFixed(1)} ms/iter`,
      });
      return undefined;
    });
    if (ran)
      rows.push({ metric: `matvec n=${n} ${name}`, ours: Number.NaN, unit: 'GB/s', note: `skipped: ${ran}` });
  }
}
report('gpu', rows, { devices, iters: ITERS, reps: REPS, sizes });
process.exit(0);
