/**
 * The WebGPU gather the shape kernels share (reshape, permutedims, circshift, repeat, similar, eye):
 * one thread per result element, reading through an index map (src/array/index-map.ts).
 */

import type { GPUArray } from '../../gpu/array.js';
import type { IndexMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import type { WebGPUBackend } from './backend.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';

/** WGSL: P = [ndim, size, then per dimension: extent, div, shift, mod, stride]. */
export const GATHER_WGSL = /* wgsl */ `${header(['a'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  if (i >= P[1]) { return; }
  var rem = i;
  var src = 0u;
  for (var k = P[0]; k > 0u; k--) {
    let b = 2u + (k - 1u) * 5u;
    let o = rem % P[b];
    rem = rem / P[b];
    src += ((o / P[b + 1u] + P[b + 2u]) % P[b + 3u]) * P[b + 4u];
  }
  out[i] = a[src];
}
`;

/** A new GPUArray of the map's result shape gathered from `a` (a webgpu GPUArray or a host array). */
export function gatherWebGPU(b: WebGPUBackend, a: AnyArray, map: IndexMap, op: string): Promise<GPUArray> {
  const words = [map.shape.length, sizeOf(map.shape)];
  map.shape.forEach((n, k) => {
    const t = map.terms[k]!;
    words.push(n, t.div, t.shift, t.mod, t.stride);
  });
  return runIndexMap(b, op, GATHER_WGSL, words, [a], map.resultShape ?? map.shape);
}
