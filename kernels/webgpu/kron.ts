/** The WebGPU kernel of `kron`: one thread per element of the product. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { rowsCols } from '../../src/linalg/host.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs } from './operands.js';

const KRON_WGSL = /* wgsl */ `${header(['a', 'b'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  let m = P[0]; let n = P[1]; let p = P[2]; let q = P[3];
  let N = n * q;
  if (i >= m * p * N) { return; }
  let R = i / N; let C = i % N;
  out[i] = a[(R / p) * n + C / q] * b[(R % p) * q + C % q];
}
`;

/** The Kronecker product (vectors as columns), of shape `out.shape`. */
export function kronWebGPU(a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): Promise<GPUArray> {
  const dev = backendOfArgs('kron', [a, b]);
  const [m, n] = rowsCols(a.shape);
  const [p, q] = rowsCols(b.shape);
  return runIndexMap(dev, 'kron', KRON_WGSL, [m, n, p, q], [a, b], out.shape);
}
