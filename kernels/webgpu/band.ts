/** The WebGPU kernel of `band` (triu, tril): one thread per element, zero outside the band. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs } from './operands.js';

const BAND_WGSL = /* wgsl */ `${header(['a'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  let m = P[0]; let n = P[1];
  if (i >= m * n) { return; }
  let d = i32(i % n) - i32(i / n);
  out[i] = select(0.0, a[i], d >= bitcast<i32>(P[2]) && d <= bitcast<i32>(P[3]));
}
`;

/** A copy of matrix `a` with the elements outside lo ≤ j − i ≤ hi set to zero. */
export function bandWebGPU(a: AnyArray, lo: number, hi: number): Promise<GPUArray> {
  const b = backendOfArgs('band', [a]);
  const [m = 0, n = 0] = a.shape;
  return runIndexMap(b, 'band', BAND_WGSL, [m, n, lo, hi], [a], a.shape);
}
