/** The webgpu kernel of `similar`: zeros made on the device from a one-element source. */

import type { GPUArray } from '../../gpu/array.js';
import { fillMap } from '../../src/array/index-map.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherWebGPU } from './gather.js';
import { backendOfArgs } from './operands.js';

/** A new zero-filled GPUArray of `shape` on `a`'s backend (float32, whatever dtype was asked). */
export function similarWebGPU(a: AnyArray, shape: readonly number[]): Promise<GPUArray> {
  return gatherWebGPU(
    backendOfArgs('similar', [a]),
    new NDArray(new Float32Array(1), [1]),
    fillMap(shape),
    'similar',
  );
}
