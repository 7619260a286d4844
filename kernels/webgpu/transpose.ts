/** The WebGPU kernel of `transpose`: one thread per element, reads coalesced along rows of the input. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs } from './operands.js';

/** WGSL of out (n×m) = aᵀ for a of m×n. */
export const TRANSPOSE_WGSL = /* wgsl */ `${header(['a'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  let m = P[0]; let n = P[1];
  if (i >= m * n) { return; }
  let r = i / n;
  let c = i % n;
  out[c * m + r] = a[i];
}
`;

/** aᵀ on the device (a vector of n becomes a 1×n matrix, sharing no storage with a). */
export function transposeWebGPU(a: AnyArray): Promise<GPUArray> {
  const b = backendOfArgs('transpose', [a]);
  const [m, n] = a.shape.length === 1 ? [1, a.shape[0] ?? 0] : [a.shape[0] ?? 0, a.shape[1] ?? 0];
  // A vector's transpose keeps the element order, so the same kernel serves with shape [1, n].
  return runIndexMap(b, 'transpose', TRANSPOSE_WGSL, [m, n], [a], a.shape.length === 1 ? [1, n] : [n, m]);
}
