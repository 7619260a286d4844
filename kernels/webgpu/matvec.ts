/**
 * The WebGPU matrix–vector product, bandwidth-bound: one workgroup per row reads the row once with
 * coalesced (vec4 where the row length allows) loads and sums through subgroups or a workgroup
 * tree. Matrices larger than one storage binding run in row blocks bound at aligned offsets.
 */

import { ArgumentError } from '../../src/errors.js';
import type { WebGPUBackend } from './backend.js';
import type { DeviceArray } from './operands.js';

const WG = 256;

/** WGSL of y[r0 + r] = A[r, :]·x for the rows of one block; vec4 loads when `vec4`. */
export function matvecWgsl(vec4: boolean, subgroups: boolean): string {
  const T = vec4 ? 'vec4f' : 'f32';
  const prod = vec4 ? 'dot(A[base + j], x[j])' : 'A[base + j] * x[j]';
  const reduce = subgroups
    ? `let s = subgroupAdd(acc);
  if (sli == 0u) { sh[li / sgs] = s; }
  workgroupBarrier();
  if (li == 0u) {
    var t = 0.0;
    for (var j = 0u; j < ${WG}u / sgs; j++) { t += sh[j]; }
    y[P[2] + r] = t;
  }`
    : `sh[li] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (li < s) { sh[li] += sh[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u) { y[P[2] + r] = sh[0]; }`;
  return `${subgroups ? 'enable subgroups;\n' : ''}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> A: array<${T}>;
@group(0) @binding(3) var<storage, read> x: array<${T}>;
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3u,
        @builtin(num_workgroups) nwg: vec3u${subgroups ? ', @builtin(subgroup_invocation_id) sli: u32, @builtin(subgroup_size) sgs: u32' : ''}) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= P[0]) { return; }
  let kv = P[1];
  let base = r * kv;
  var acc = 0.0;
  for (var j = li; j < kv; j += ${WG}u) { acc += ${prod}; }
  ${reduce}
}
`;
}

/** y = A·x for A of m×k on the device, written into `y` (m elements). */
export async function matvecWebGPU(
  b: WebGPUBackend,
  A: DeviceArray,
  x: DeviceArray,
  y: GPUBuffer,
  m: number,
  k: number,
): Promise<void> {
  if (m === 0) return;
  const vec4 = k % 4 === 0 && k > 0;
  const rowBytes = k * 4;
  // Block offsets must be multiples of 256 bytes: 64 rows of float32 always are.
  let blockRows = rowBytes === 0 ? m : Math.floor(b.maxBinding / rowBytes);
  if (blockRows < m) blockRows -= blockRows % 64;
  if (blockRows <= 0)
    throw new ArgumentError(
      `mul (webgpu): a row of ${k} float32 elements exceeds the adapter's ${b.maxBinding}-byte binding limit`,
    );
  const src = matvecWgsl(vec4, b.subgroups);
  for (let r0 = 0; r0 < m; r0 += blockRows) {
    const rows = Math.min(blockRows, m - r0);
    const params = b.params(Uint32Array.of(rows, vec4 ? k / 4 : k, r0));
    try {
      await b.run(
        src,
        [
          { buffer: y, size: m * 4 },
          { buffer: params.buffer, size: 12 },
          { buffer: A.storage.buffer, offset: r0 * rowBytes, size: Math.max(rows * rowBytes, 16) },
          { buffer: x.storage.buffer, size: Math.max(k * 4, 16) },
        ],
        rows,
      );
    } finally {
      params.release();
    }
  }
}
