/** The CPU kernel of `transpose`, in tiles so both sides stay in cache. */
import { empty } from '../../src/array/create.js';
import type { NDArray } from '../../src/array/ndarray.js';

const TILE = 32;

/** The CPU kernel of `transpose`: m×n → n×m; a vector of n becomes a 1×n matrix. */
export function transposeCpu(a: NDArray): NDArray {
  if (a.ndim === 1) {
    const out = empty([1, a.size], a.dtype);
    out.data.set(a.data);
    return out;
  }
  const [m = 0, n = 0] = a.shape;
  const out = empty([n, m], a.dtype);
  const src = a.data;
  const dst = out.data;
  for (let i0 = 0; i0 < m; i0 += TILE) {
    const i1 = Math.min(m, i0 + TILE);
    for (let j0 = 0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) dst[j * m + i] = src[i * n + j]!;
    }
  }
  return out;
}
