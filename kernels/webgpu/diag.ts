/** The WebGPU kernel of `diag`: a strided gather of the k-th diagonal. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { diagLength } from '../../src/linalg/host.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs } from './operands.js';

const DIAG_WGSL = /* wgsl */ `${header(['a'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  if (i >= P[2]) { return; }
  out[i] = a[P[0] + i * P[1]];
}
`;

/** a[i, i + k] for each i on the diagonal, as a vector. */
export function diagWebGPU(a: AnyArray, k: number): Promise<GPUArray> {
  const b = backendOfArgs('diag', [a]);
  const [m = 0, n = 0] = a.shape;
  const len = diagLength(m, n, k);
  const r0 = Math.max(0, -k);
  return runIndexMap(b, 'diag', DIAG_WGSL, [r0 * n + r0 + k, n + 1, len], [a], [len]);
}
