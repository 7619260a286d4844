/** The webgpu kernel of `permutedims`. */

import type { GPUArray } from '../../gpu/array.js';
import { permuteMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherWebGPU } from './gather.js';
import { backendOfArgs } from './operands.js';

/** A new array whose axis k is axis perm[k] of `a`. */
export function permutedimsWebGPU(a: AnyArray, perm: readonly number[]): Promise<GPUArray> {
  return gatherWebGPU(backendOfArgs('permutedims', [a]), a, permuteMap(a.shape, perm), 'permutedims');
}
