/**
 * The WebGPU gather the shape kernels share (reshape, permutedims, circshift, repeat, similar, eye):
 * one thread per result element, reading through an index map (src/array/index-map.ts).
 */

import { GPUArray } from '../../gpu/array.js';
import type { IndexMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';
import { onDevice, releaseTemps } from './operands.js';

const WG = 256;

/** WGSL: P = [ndim, size, then per dimension: extent, div, shift, mod, stride]. */
export const GATHER_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> P: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
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
export async function gatherWebGPU(
  b: WebGPUBackend,
  a: AnyArray,
  map: IndexMap,
  op: string,
): Promise<GPUArray> {
  const size = sizeOf(map.shape);
  const da = onDevice(b, a, op);
  const out = new GPUArray(b, b.alloc(size * 4), map.resultShape ?? map.shape);
  const words = [map.shape.length, size];
  map.shape.forEach((n, k) => {
    const t = map.terms[k]!;
    words.push(n, t.div, t.shift, t.mod, t.stride);
  });
  const params = b.params(Uint32Array.from(words));
  try {
    if (size > 0)
      await b.run(
        GATHER_WGSL,
        [
          { buffer: (out.storage as WebGPUStorage).buffer, size: size * 4 },
          { buffer: params.buffer, size: words.length * 4 },
          { buffer: da.storage.buffer, size: Math.max(da.size, 1) * 4 },
        ],
        Math.ceil(size / WG),
      );
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    params.release();
    releaseTemps([da]);
  }
}
