/** The WebGPU kernel of `cat`: each input written by one dispatch into its slab of the result. */

import { GPUArray } from '../../gpu/array.js';
import type { DType } from '../../src/array/dtype.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf, stridesOf } from '../../src/array/shape.js';
import type { WebGPUStorage } from './backend.js';
import { header, THREAD_INDEX, WG } from './index-map.js';
import { backendOfArgs, type DeviceArray, onDevice, releaseTemps } from './operands.js';

/** WGSL: P = [ndim, size, offset, then per dimension: the input's extent, the result's stride]. */
export const PLACE_WGSL = /* wgsl */ `${header(['a'])}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  ${THREAD_INDEX}
  if (i >= P[1]) { return; }
  var rem = i;
  var dst = P[2];
  for (var k = P[0]; k > 0u; k--) {
    let b = 3u + (k - 1u) * 2u;
    dst += (rem % P[b]) * P[b + 1u];
    rem = rem / P[b];
  }
  out[dst] = a[i];
}
`;

/** `arrays` joined along `dim` on the device (host inputs are uploaded for the call). */
export async function catWebGPU(
  arrays: readonly AnyArray[],
  dim: number,
  spec: { shape: readonly number[]; dtype: DType },
): Promise<GPUArray> {
  const b = backendOfArgs('cat', arrays);
  const size = sizeOf(spec.shape);
  const out = new GPUArray(b, b.alloc(size * 4), spec.shape);
  const strides = stridesOf(spec.shape);
  const devs: DeviceArray[] = [];
  try {
    let at = 0;
    for (const a of arrays) {
      const d = onDevice(b, a, 'cat');
      devs.push(d);
      const shape = [...a.shape, ...new Array<number>(spec.shape.length - a.shape.length).fill(1)];
      const words = [shape.length, d.size, at * (strides[dim] as number)];
      for (const [k, n] of shape.entries()) words.push(n, strides[k] as number);
      at += shape[dim] as number;
      if (d.size === 0) continue;
      const params = b.params(Uint32Array.from(words));
      try {
        await b.run(
          PLACE_WGSL,
          [
            { buffer: (out.storage as WebGPUStorage).buffer, size: Math.max(size, 1) * 4 },
            { buffer: params.buffer, size: words.length * 4 },
            { buffer: d.storage.buffer, size: d.size * 4 },
          ],
          Math.ceil(d.size / WG),
        );
      } finally {
        params.release();
      }
    }
    return out;
  } catch (e) {
    out.dispose();
    throw e;
  } finally {
    releaseTemps(devs);
  }
}
