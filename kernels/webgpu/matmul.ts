/** The WebGPU matrix–matrix product: 16×16 tiles staged in workgroup memory. */
import type { WebGPUBackend } from './backend.js';
import type { DeviceArray } from './operands.js';

const T = 16;

/** WGSL of C (m×n) = A (m×k) · B (k×n), one 16×16 tile of C per workgroup. */
export const MATMUL_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> C: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> A: array<f32>;
@group(0) @binding(3) var<storage, read> B: array<f32>;
var<workgroup> As: array<array<f32, ${T}>, ${T}>;
var<workgroup> Bs: array<array<f32, ${T}>, ${T}>;
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let m = P[0]; let k = P[1]; let n = P[2];
  let row = wid.y * ${T}u + lid.y;
  let col = wid.x * ${T}u + lid.x;
  var acc = 0.0;
  for (var t = 0u; t < k; t += ${T}u) {
    let ac = t + lid.x;
    let br = t + lid.y;
    As[lid.y][lid.x] = select(0.0, A[min(row * k + ac, m * k - 1u)], row < m && ac < k);
    Bs[lid.y][lid.x] = select(0.0, B[min(br * n + col, k * n - 1u)], br < k && col < n);
    workgroupBarrier();
    for (var q = 0u; q < ${T}u; q++) { acc += As[lid.y][q] * Bs[q][lid.x]; }
    workgroupBarrier();
  }
  if (row < m && col < n) { C[row * n + col] = acc; }
}
`;

/** C = A·B on the device, written into `c`. */
export async function matmulWebGPU(
  b: WebGPUBackend,
  A: DeviceArray,
  B: DeviceArray,
  c: GPUBuffer,
  m: number,
  k: number,
  n: number,
): Promise<void> {
  if (m === 0 || n === 0) return;
  const params = b.params(Uint32Array.of(m, k, n));
  try {
    await b.run(
      MATMUL_WGSL,
      [
        { buffer: c, size: m * n * 4 },
        { buffer: params.buffer, size: 12 },
        { buffer: A.storage.buffer, size: Math.max(m * k * 4, 4) },
        { buffer: B.storage.buffer, size: Math.max(k * n * 4, 4) },
      ],
      [Math.ceil(n / T), Math.ceil(m / T)],
    );
  } finally {
    params.release();
  }
}
