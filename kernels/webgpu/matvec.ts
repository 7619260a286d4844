/**
 * The WebGPU matrix–vector product, bandwidth-bound: each row is read once with coalesced (vec4 where
 * the row length allows) loads by the threads a workgroup gives it, each keeping `unroll` independent
 * sums so several loads are in flight, and summed through subgroups or a workgroup tree. Matrices
 * larger than one storage binding run in row blocks bound at aligned offsets.
 */

import { ArgumentError } from '../../src/errors.js';
import type { WebGPUBackend } from './backend.js';
import { type DeviceArray, rowsPerBinding } from './operands.js';
import { cachedSource } from './source-cache.js';

/** How the kernel spreads rows over threads. */
export interface MatvecShape {
  /** Threads per workgroup (at most 256, WebGPU's default limit). */
  readonly wg: number;
  /** Rows per workgroup; each gets wg / rows threads. */
  readonly rows: number;
  /** Independent sums (and loads in flight) per thread. */
  readonly unroll: number;
}

/**
 * The shape `mul` uses unless DARRAY_WEBGPU_MATVEC names another: one row per workgroup of 256
 * threads, four independent sums per thread, so several loads are in flight per thread. On an H200
 * (bench/gpu-matvec-shapes.ts, three sweeps) shapes with 2 or 4 sums were within 3 % of each other
 * and ahead of one sum; through `mul` this one moved 3.45 TB/s at n = 8192 and 4.2–4.3 TB/s from
 * 16384 up, 1.03–1.24× cuBLAS's sgemv through CuPy in the same run.
 */
export const MATVEC_SHAPE: MatvecShape = { wg: 256, rows: 1, unroll: 4 };

let chosen: MatvecShape | undefined;

/**
 * The shape of `mul`'s kernel: DARRAY_WEBGPU_MATVEC="wg,rows,unroll" (e.g. "256,8,4") when set, for
 * tuning on another GPU, else {@link MATVEC_SHAPE}.
 */
export function matvecShape(): MatvecShape {
  if (chosen) return chosen;
  const env = process.env.DARRAY_WEBGPU_MATVEC;
  if (!env) return (chosen = MATVEC_SHAPE);
  const [wg, rows, unroll, ...rest] = env.split(',').map((t) => Number(t.trim()));
  if (rest.length || wg === undefined || rows === undefined || unroll === undefined)
    throw new ArgumentError(
      `DARRAY_WEBGPU_MATVEC must be "wg,rows,unroll" (e.g. "256,1,4"), got ${JSON.stringify(env)}`,
    );
  const shape = { wg, rows, unroll };
  checkMatvecShape(shape);
  return (chosen = shape);
}

/** The shapes the tuning benchmark compares. */
export const MATVEC_CANDIDATES: readonly MatvecShape[] = [
  { wg: 256, rows: 1, unroll: 1 },
  { wg: 256, rows: 1, unroll: 2 },
  { wg: 256, rows: 1, unroll: 4 },
  { wg: 128, rows: 1, unroll: 4 },
  { wg: 256, rows: 2, unroll: 2 },
  { wg: 256, rows: 2, unroll: 4 },
  { wg: 256, rows: 4, unroll: 2 },
  { wg: 256, rows: 4, unroll: 4 },
  { wg: 256, rows: 8, unroll: 4 },
  { wg: 128, rows: 4, unroll: 4 },
  { wg: 64, rows: 2, unroll: 4 },
];

/** Checks a shape: thread counts that are powers of two, dividing evenly among the rows. */
export function checkMatvecShape(s: MatvecShape): void {
  const pow2 = (v: number) => Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
  if (!pow2(s.wg) || s.wg > 256 || !pow2(s.rows) || s.rows > s.wg || !(s.unroll >= 1 && s.unroll <= 8))
    throw new ArgumentError(
      `matvec (webgpu): shape ${JSON.stringify(s)} is invalid (DARRAY_WEBGPU_MATVEC or a tuning benchmark); expected wg and rows powers of two with ` +
        'rows ≤ wg ≤ 256, and unroll an integer from 1 to 8',
    );
}

/**
 * WGSL of y[P[2] + r] = α·A[r, :]·x for the rows of one block (α's bits in P[3]); vec4 loads when `vec4`. The subgroup
 * sum is used only when no subgroup can span two rows (`subgroupMax` ≤ threads per row).
 */
export function matvecWgsl(
  vec4: boolean,
  subgroups: boolean,
  shape = MATVEC_SHAPE,
  subgroupMax = 128,
): string {
  checkMatvecShape(shape);
  const { wg, rows, unroll } = shape;
  const tpr = wg / rows;
  const useSubgroups = subgroups && subgroupMax <= tpr;
  const T = vec4 ? 'vec4f' : 'f32';
  const term = (o: string) => (vec4 ? `dot(A[base + j${o}], x[j${o}])` : `A[base + j${o}] * x[j${o}]`);
  const accs = Array.from({ length: unroll }, (_, u) => `a${u}`);
  const body = accs.map((a, u) => `      ${a} += ${term(u === 0 ? '' : ` + ${u * tpr}u`)};`).join('\n');
  const reduce = useSubgroups
    ? // Each subgroup lies in one row: its sum goes to shared memory, and a row's first thread adds them.
      `let s = subgroupAdd(acc);
  if (sli == 0u) { sh[li / sgs] = s; }
  workgroupBarrier();
  if (lt == 0u && r < P[0]) {
    let per = ${tpr}u / sgs;
    var t = 0.0;
    for (var q = 0u; q < per; q++) { t += sh[li / sgs + q]; }
    y[P[2] + r] = t * alpha;
  }`
    : `sh[li] = acc;
  workgroupBarrier();
  for (var s = ${tpr / 2}u; s > 0u; s = s >> 1u) {
    if (lt < s) { sh[li] += sh[li + s]; }
    workgroupBarrier();
  }
  if (lt == 0u && r < P[0]) { y[P[2] + r] = sh[li] * alpha; }`;
  return `${useSubgroups ? 'enable subgroups;\n' : ''}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> A: array<${T}>;
@group(0) @binding(3) var<storage, read> x: array<${T}>;
var<workgroup> sh: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u${useSubgroups ? ', @builtin(subgroup_invocation_id) sli: u32, @builtin(subgroup_size) sgs: u32' : ''}) {
  let r = (wid.x + wid.y * nwg.x) * ${rows}u + li / ${tpr}u;
  let lt = li % ${tpr}u;
  let kv = P[1];
  let alpha = bitcast<f32>(P[3]);
  ${accs.map((a) => `var ${a} = 0.0;`).join(' ')}
  // No early return for rows past the end: every thread must reach the barriers below.
  if (r < P[0]) {
    let base = r * kv;
    var j = lt;
    for (; j + ${(unroll - 1) * tpr}u < kv; j += ${unroll * tpr}u) {
${body}
    }
    for (; j < kv; j += ${tpr}u) { a0 += ${term('')}; }
  }
  let acc = ${accs.join(' + ')};
  ${reduce}
}
`;
}

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
/** The bits of `x` as float32, for a u32 parameter word. */
function f32Bits(x: number): number {
  asFloat[0] = x;
  return bits[0] ?? 0;
}

/**
 * y = α·A·x for A of m×k on the device, written into `y` (m elements), with the kernel of `shape`.
 * α is applied as each row's sum is written: powerMethod scales every product, and a second
 * dispatch for it would cost more than the multiplication it saves.
 */
export async function matvecWebGPU(
  b: WebGPUBackend,
  A: DeviceArray,
  x: DeviceArray,
  y: GPUBuffer,
  m: number,
  k: number,
  shape = matvecShape(),
  alpha = 1,
): Promise<void> {
  if (m === 0) return;
  const vec4 = k % 4 === 0 && k > 0;
  const rowBytes = k * 4;
  const blockRows = rowsPerBinding(b, m, k);
  if (blockRows <= 0)
    throw new ArgumentError(
      `mul (webgpu): a row of ${k} float32 elements exceeds the adapter's ${b.maxBinding}-byte binding limit`,
    );
  const key = `matvec ${vec4} ${b.subgroups} ${b.subgroupMaxSize} ${shape.wg} ${shape.rows} ${shape.unroll}`;
  const src = cachedSource(key, () => matvecWgsl(vec4, b.subgroups, shape, b.subgroupMaxSize));
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const rows = Math.min(blockRows, m - r0);
    const params = b.params(Uint32Array.of(rows, vec4 ? k / 4 : k, r0, f32Bits(alpha)));
    try {
      await b.run(
        src,
        [
          { buffer: y, size: m * 4 },
          { buffer: params.buffer, size: 16 },
          { buffer: A.storage.buffer, offset: r0 * rowBytes, size: Math.max(rows * rowBytes, 16) },
          { buffer: x.storage.buffer, size: Math.max(k * 4, 16) },
        ],
        Math.ceil(rows / shape.rows),
      );
    } finally {
      params.release();
    }
  }
}
