/** The gpujs kernel of `similar`: zeros made on the device from a one-element source. */

import type { GPUArray } from '../../gpu/array.js';
import { fillMap } from '../../src/array/index-map.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherGpujs } from './gather.js';
import { gpujsOf } from './operands.js';

/** A new zero-filled GPUArray of `shape` on `a`'s backend (float32, whatever dtype was asked). */
export function similarGpujs(a: AnyArray, shape: readonly number[]): GPUArray {
  return gatherGpujs(
    gpujsOf('similar', [a]),
    new NDArray(new Float32Array(1), [1]),
    fillMap(shape),
    'similar',
  );
}
