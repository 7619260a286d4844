/** The CPU kernel of `similar`. */
import { zeros } from '../../src/array/create.js';
import type { DType } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';

/** A new zero-filled NDArray. */
export function similarCpu(_a: unknown, shape: readonly number[], dtype: DType): NDArray {
  return zeros(shape, dtype);
}
