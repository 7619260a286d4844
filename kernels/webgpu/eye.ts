/** The webgpu kernel of `eye`: the identity expanded on the device from its (n+1)-element pattern. */

import type { GPUArray } from '../../gpu/array.js';
import { eyeMap } from '../../src/array/index-map.js';
import { NDArray } from '../../src/array/ndarray.js';
import { getBackend } from '../../src/array/registry.js';
import type { WebGPUBackend } from './backend.js';
import { gatherWebGPU } from './gather.js';

/** The n×n identity as a float32 GPUArray (the dtype asked for is float32 on a GPU). */
export async function eyeWebGPU(n: number): Promise<GPUArray> {
  const b = (await getBackend('webgpu')) as WebGPUBackend;
  const pattern = new Float32Array(n + 1);
  pattern[0] = 1;
  return gatherWebGPU(b, new NDArray(pattern, [n + 1]), eyeMap(n), 'eye');
}
