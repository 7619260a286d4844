/** The webgpu kernel of `reshape`: a copy under the new shape (a GPUArray owns its storage, so no view). */

import type { GPUArray } from '../../gpu/array.js';
import { reshapeMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherWebGPU } from './gather.js';
import { backendOfArgs } from './operands.js';

/** `a`'s elements in row-major order under `shape`. */
export function reshapeWebGPU(a: AnyArray, shape: readonly number[]): Promise<GPUArray> {
  return gatherWebGPU(
    backendOfArgs('reshape', [a]),
    a,
    { ...reshapeMap(a.shape), resultShape: shape },
    'reshape',
  );
}
