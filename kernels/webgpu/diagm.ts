/** The WebGPU kernel of `diagm`: one thread per element of the square result. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs } from './operands.js';

const DIAGM_WGSL = /* wgsl */ `${header(['v'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  let N = P[0];
  if (i >= N * N) { return; }
  let r = i / N; let c = i % N;
  // On the k-th diagonal, the element's position in v is the smaller of its row and column.
  out[i] = select(0.0, v[min(r, c)], i32(c) - i32(r) == bitcast<i32>(P[1]));
}
`;

/** A square matrix of side len(v) + |k| with v on its k-th diagonal. */
export function diagmWebGPU(v: AnyArray, k: number): Promise<GPUArray> {
  const b = backendOfArgs('diagm', [v]);
  const N = (v.shape[0] ?? 0) + Math.abs(k);
  return runIndexMap(b, 'diagm', DIAGM_WGSL, [N, k], [v], [N, N]);
}
