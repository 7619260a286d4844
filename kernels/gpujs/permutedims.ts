/** The gpujs kernel of `permutedims`. */

import type { GPUArray } from '../../gpu/array.js';
import { permuteMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherGpujs } from './gather.js';
import { gpujsOf } from './operands.js';

/** A new array whose axis k is axis perm[k] of `a`. */
export function permutedimsGpujs(a: AnyArray, perm: readonly number[]): GPUArray {
  return gatherGpujs(gpujsOf('permutedims', [a]), a, permuteMap(a.shape, perm), 'permutedims');
}
