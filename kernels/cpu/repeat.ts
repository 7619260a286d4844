/** The CPU kernel of `repeat`. */
import { repeatMap } from '../../src/array/index-map.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { gatherCpu } from './gather.js';

/** Julia's repeat(a; inner, outer), counts one per axis (a.shape padded with 1s to their length). */
export function repeatCpu(a: NDArray, inner: readonly number[], outer: readonly number[]): NDArray {
  const shape = [...a.shape, ...new Array<number>(inner.length - a.shape.length).fill(1)];
  return gatherCpu(a.reshape(shape), repeatMap(shape, inner, outer));
}
