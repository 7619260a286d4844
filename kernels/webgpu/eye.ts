/** The WebGPU kernel of `eye`: one thread per element. */

import type { GPUArray } from '../../gpu/array.js';
import { getBackend } from '../../src/array/registry.js';
import type { WebGPUBackend } from './backend.js';
import { header, runIndexMap, THREAD_INDEX, WG } from './index-map.js';

/** WGSL: P = [n, m, the diagonal value's f32 bits]. */
export const EYE_WGSL = /* wgsl */ `${header([])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  let m = P[1];
  if (i >= P[0] * m) { return; }
  out[i] = select(0.0, bitcast<f32>(P[2]), i / m == i % m);
}
`;

/** The n×m float32 GPUArray with `value` on the diagonal. */
export async function eyeWebGPU(n: number, m: number, value: number): Promise<GPUArray> {
  const b = (await getBackend('webgpu')) as WebGPUBackend;
  const bits = new Uint32Array(Float32Array.of(value).buffer)[0] as number;
  return runIndexMap(b, 'eye', EYE_WGSL, [n, m, bits], [], [n, m]);
}
