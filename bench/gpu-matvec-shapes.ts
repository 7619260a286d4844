/**
 * Tunes the WebGPU matvec kernel: every candidate shape (threads per workgroup, rows per workgroup,
 * sums per thread; kernels/webgpu/matvec.ts) at each size, float32, in GB/s of matrix traffic. Two
 * timings per shape: through `matvecWebGPU` as `mul` calls it (one submit per product), and the
 * kernel alone (all products encoded in one pass, so dispatch overhead is left out). The matrix is
 * made on the device, so n = 32768 (4 GiB, bound in row blocks) needs no host copy.
 * Run: npm run build && npm run bench -- gpu-matvec-shapes
 *      Env: BENCH_SIZES (default 2048,4096), BENCH_REPS (products per timing, 50), BENCH_HBM_GBS
 */
import '../src/backends.js';
import { gpuBackend, scope } from '../gpu/index.js';
import type { WebGPUBackend, WebGPUStorage } from '../kernels/webgpu/backend.js';
import {
  MATVEC_CANDIDATES,
  MATVEC_SHAPE,
  type MatvecShape,
  matvecWebGPU,
  matvecWgsl,
} from '../kernels/webgpu/matvec.js';
import { onDevice } from '../kernels/webgpu/operands.js';
import { rand } from '../src/array/index.js';
import { median, type Row, report } from './lib/report.js';

const sizes = (process.env.BENCH_SIZES ?? '2048,4096').split(',').map(Number);
const REPS = Number(process.env.BENCH_REPS ?? 50);
const HBM = Number(process.env.BENCH_HBM_GBS ?? 0);

const b = (await gpuBackend('webgpu')) as WebGPUBackend;
console.log(
  `${b.device}; binding limit ${b.maxBinding} bytes; subgroups ${b.subgroups} (max ${b.subgroupMaxSize})`,
);

/** Median seconds per product over 3 timings of REPS products, each ending with a 1-element readback. */
async function seconds(once: () => Promise<void>, y: WebGPUStorage): Promise<number> {
  await once();
  await b.download(y, 0, 1);
  const times: number[] = [];
  for (let t = 0; t < 3; t++) {
    const t0 = performance.now();
    for (let i = 0; i < REPS; i++) await once();
    await b.download(y, 0, 1);
    times.push((performance.now() - t0) / 1000 / REPS);
  }
  return median(times);
}

/** REPS products in one compute pass (the matrix in one binding): the kernel's own rate. */
async function kernelOnly(
  shape: MatvecShape,
  A: WebGPUStorage,
  x: WebGPUStorage,
  y: WebGPUStorage,
  n: number,
) {
  const pipeline = await b.pipeline(matvecWgsl(true, b.subgroups, shape, b.subgroupMaxSize));
  // The library's kernels are batched: those that made A and x are submitted before this one.
  b.flush();
  const P = b.params(Uint32Array.of(n, n / 4, 0, 0x3f800000)); // α = 1.0
  const group = b.gpu.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [y, P, A, x].map((s, i) => ({ binding: i, resource: { buffer: s.buffer, size: s.bytes } })),
  });
  const [gx, gy] = b.grid(Math.ceil(n / shape.rows));
  const once = () => {
    const enc = b.gpu.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    for (let i = 0; i < REPS; i++) pass.dispatchWorkgroups(gx, gy);
    pass.end();
    b.gpu.queue.submit([enc.finish()]);
  };
  try {
    once();
    await b.download(y, 0, 1);
    const times: number[] = [];
    for (let t = 0; t < 3; t++) {
      const t0 = performance.now();
      once();
      await b.download(y, 0, 1);
      times.push((performance.now() - t0) / 1000 / REPS);
    }
    return median(times);
  } finally {
    P.release();
  }
}

const rows: Row[] = [];
const key = (s: MatvecShape) => `wg ${s.wg}, ${s.rows} row(s)/wg, ${s.unroll} sum(s)/thread`;
const best: Record<number, { shape: string; gbs: number }> = {};
for (const n of sizes) {
  await scope(async () => {
    const A = await rand([n, n], { dtype: 'float32', seed: 1, backend: 'webgpu' });
    const x = await rand([n], { dtype: 'float32', seed: 2, backend: 'webgpu' });
    const dA = onDevice(b, A, 'mul', true);
    const dx = onDevice(b, x, 'mul');
    const y = b.alloc(n * 4);
    const gb = (s: number) => (n * n * 4) / s / 1e9;
    // Half a second of products first: an idle GPU clocks down, and the first shape timed would pay for it.
    for (const t0 = performance.now(); performance.now() - t0 < 500; )
      await seconds(() => matvecWebGPU(b, dA, dx, y.buffer, n, n), y);
    for (const shape of MATVEC_CANDIDATES) {
      const viaMul = await seconds(() => matvecWebGPU(b, dA, dx, y.buffer, n, n, shape), y);
      const alone =
        n * n * 4 <= b.maxBinding ? await kernelOnly(shape, dA.storage, dx.storage, y, n) : undefined;
      const isDefault = JSON.stringify(shape) === JSON.stringify(MATVEC_SHAPE);
      rows.push({
        metric: `n=${n} ${key(shape)}${isDefault ? ' (default)' : ''}`,
        ours: gb(viaMul),
        peer: alone === undefined ? undefined : gb(alone),
        unit: 'GB/s',
        ...(HBM > 0
          ? { ratio: gb(viaMul) / HBM, target: '≥ 0.70 of HBM', pass: gb(viaMul) / HBM >= 0.7 }
          : {}),
        note: `via mul ${(viaMul * 1e6).toFixed(1)} µs/product${alone === undefined ? '' : `; kernel alone (peer column) ${(alone * 1e6).toFixed(1)} µs`}`,
      });
      if (!best[n] || gb(viaMul) > best[n].gbs) best[n] = { shape: key(shape), gbs: gb(viaMul) };
    }
    y.release();
  });
}
// Overall: the geometric mean over the sizes of each shape's rate through mul.
const overall = MATVEC_CANDIDATES.map((shape) => {
  const rates = rows.filter((r) => r.metric.includes(key(shape))).map((r) => Math.log(r.ours));
  return { shape, gbs: Math.exp(rates.reduce((a, b) => a + b, 0) / rates.length) };
}).sort((a, b) => b.gbs - a.gbs);
const top = overall[0]?.shape ?? MATVEC_SHAPE;
console.log('fastest shape per size:', best);
console.log(
  `fastest overall (geometric mean over the sizes): DARRAY_WEBGPU_MATVEC=${top.wg},${top.rows},${top.unroll}`,
);
report('gpu-matvec-shapes', rows, {
  device: b.device,
  reps: REPS,
  sizes,
  hbmGBs: HBM || undefined,
  best,
  overall,
});
process.exit(0);
