/** The gpujs kernel of `reshape`: a copy under the new shape (a GPUArray owns its storage, so no view). */

import type { GPUArray } from '../../gpu/array.js';
import { reshapeMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherGpujs } from './gather.js';
import { gpujsOf } from './operands.js';

/** `a`'s elements in row-major order under `shape`. */
export function reshapeGpujs(a: AnyArray, shape: readonly number[]): GPUArray {
  return gatherGpujs(gpujsOf('reshape', [a]), a, { ...reshapeMap(a.shape), resultShape: shape }, 'reshape');
}
