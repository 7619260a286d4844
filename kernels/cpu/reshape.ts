/** The CPU kernel of `reshape`: a view sharing the data (row-major order is kept as it is). */
import type { NDArray } from '../../src/array/ndarray.js';

/** `a`'s data under `shape`, not copied. */
export function reshapeCpu(a: NDArray, shape: readonly number[]): NDArray {
  return a.reshape(shape);
}
