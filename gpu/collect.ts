/** The GPU kernel of `collect` (every GPU backend): one copy of the array to the host, as a float32 NDArray. */
import { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { GPUArray } from './array.js';

/** Downloads a GPUArray into a new NDArray (float32, the same shape). */
export async function collectGPU(x: AnyArray): Promise<NDArray> {
  if (!(x instanceof GPUArray)) return x as NDArray;
  return new NDArray(await x.download(), x.shape);
}
