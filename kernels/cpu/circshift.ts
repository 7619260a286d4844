/** The CPU kernel of `circshift`. */
import { circshiftMap } from '../../src/array/index-map.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { gatherCpu } from './gather.js';

/** A new array with `a`'s elements shifted circularly by `shifts` (each in [0, n)). */
export function circshiftCpu(a: NDArray, shifts: readonly number[]): NDArray {
  return gatherCpu(a, circshiftMap(a.shape, shifts));
}
