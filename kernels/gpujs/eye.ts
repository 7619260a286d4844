/** The gpujs kernel of `eye`: the identity expanded on the device from its (n+1)-element pattern. */

import type { GPUArray } from '../../gpu/array.js';
import { eyeMap } from '../../src/array/index-map.js';
import { NDArray } from '../../src/array/ndarray.js';
import { getBackend } from '../../src/array/registry.js';
import type { GpujsBackend } from './backend.js';
import { gatherGpujs } from './gather.js';

/** The n×n identity as a float32 GPUArray (the dtype asked for is float32 on a GPU). */
export async function eyeGpujs(n: number): Promise<GPUArray> {
  const b = (await getBackend('gpujs')) as GpujsBackend;
  const pattern = new Float32Array(n + 1);
  pattern[0] = 1;
  return gatherGpujs(b, new NDArray(pattern, [n + 1]), eyeMap(n), 'eye');
}
