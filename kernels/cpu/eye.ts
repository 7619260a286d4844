/** The CPU kernel of `eye`. */
import { zeros } from '../../src/array/create.js';
import type { DType } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';

/** The n×n identity as an NDArray. */
export function eyeCpu(n: number, dtype: DType): NDArray {
  const I = zeros([n, n], dtype);
  for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
  return I;
}
