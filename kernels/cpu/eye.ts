/** The CPU kernel of `eye`. */
import { zeros } from '../../src/array/create.js';
import type { DType } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';

/** The n×m NDArray with `value` on the diagonal. */
export function eyeCpu(n: number, m: number, value: number, dtype: DType): NDArray {
  const I = zeros([n, m], dtype);
  for (let i = 0; i < Math.min(n, m); i++) I.data[i * m + i] = value;
  return I;
}
