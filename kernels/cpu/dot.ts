/** The CPU kernel of `dot`. */
import type { NDArray } from '../../src/array/ndarray.js';

/** Σ x[i]·y[i] over equal-length data, two accumulators wide. */
export function dotData(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s0 = 0;
  let s1 = 0;
  const n = x.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
  }
  if (i < n) s0 += x[i]! * y[i]!;
  return s0 + s1;
}

/** The CPU kernel of `dot`: arrays of equal shape. */
export function dotCpu(x: NDArray, y: NDArray): number {
  return dotData(x.data, y.data);
}
