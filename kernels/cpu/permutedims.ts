/** The CPU kernel of `permutedims`. */
import { permuteMap } from '../../src/array/index-map.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { gatherCpu } from './gather.js';

/** A new array whose axis k is axis perm[k] of `a`. */
export function permutedimsCpu(a: NDArray, perm: readonly number[]): NDArray {
  return gatherCpu(a, permuteMap(a.shape, perm));
}
