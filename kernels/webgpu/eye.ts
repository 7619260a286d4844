/** The WebGPU kernel of `eye`: one thread per element. */

import { GPUArray } from '../../gpu/array.js';
import { getBackend } from '../../src/array/registry.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';

const WG = 256;

/** WGSL: P = [n, m, the diagonal value's f32 bits]. */
export const EYE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  let m = P[1];
  if (i >= P[0] * m) { return; }
  out[i] = select(0.0, bitcast<f32>(P[2]), i / m == i % m);
}
`;

/** The n×m float32 GPUArray with `value` on the diagonal. */
export async function eyeWebGPU(n: number, m: number, value: number): Promise<GPUArray> {
  const b = (await getBackend('webgpu')) as WebGPUBackend;
  const out = new GPUArray(b, b.alloc(n * m * 4), [n, m]);
  const words = new Uint32Array(3);
  words[0] = n;
  words[1] = m;
  new Float32Array(words.buffer, 8, 1)[0] = value;
  const params = b.params(words);
  try {
    if (n * m > 0)
      await b.run(
        EYE_WGSL,
        [
          { buffer: (out.storage as WebGPUStorage).buffer, size: n * m * 4 },
          { buffer: params.buffer, size: 12 },
        ],
        Math.ceil((n * m) / WG),
      );
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    params.release();
  }
}
