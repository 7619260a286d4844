/** The CPU kernel of `mul`: matrix–vector and matrix–matrix products in plain JS loops. */
import { empty, zeros } from '../../src/array/create.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { OutSpec } from '../../src/array/protocol.js';

/**
 * y[r] = Σ_j A[r, col + j]·x[j] for rows start ≤ r < end of the row-major matrix A, whose rows are
 * `lda` elements apart (n by default), over n columns from `col`; with `accumulate`, y[r] += that.
 * Each row is summed in column order, whichever way its rows are grouped.
 */
export function matvecRows(
  a: ArrayLike<number>,
  x: ArrayLike<number>,
  y: { [i: number]: number },
  n: number,
  start: number,
  end: number,
  lda = n,
  col = 0,
  accumulate = false,
): void {
  let r = start;
  // Four rows at a time so each load of x[j] feeds four products, and four independent sums are in
  // flight instead of one chain of dependent adds.
  for (; r + 3 < end; r += 4) {
    const o0 = r * lda + col;
    const o1 = o0 + lda;
    const o2 = o1 + lda;
    const o3 = o2 + lda;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < n; j++) {
      const xj = x[j]!;
      s0 += a[o0 + j]! * xj;
      s1 += a[o1 + j]! * xj;
      s2 += a[o2 + j]! * xj;
      s3 += a[o3 + j]! * xj;
    }
    y[r] = accumulate ? y[r]! + s0 : s0;
    y[r + 1] = accumulate ? y[r + 1]! + s1 : s1;
    y[r + 2] = accumulate ? y[r + 2]! + s2 : s2;
    y[r + 3] = accumulate ? y[r + 3]! + s3 : s3;
  }
  for (; r < end; r++) {
    const o = r * lda + col;
    let s = 0;
    for (let j = 0; j < n; j++) s += a[o + j]! * x[j]!;
    y[r] = accumulate ? y[r]! + s : s;
  }
}

/** C = A·B for row-major A (m×k) and B (k×n), i-k-j order so the inner loop walks rows of B and C. */
export function matmulData(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  c: { [i: number]: number },
  m: number,
  k: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] = c[ci + j]! + aip * b[bp + j]!;
    }
  }
}

/** The CPU kernel of `mul`: shapes already checked (a: m×k; b: k or k×n). */
export function mulCpu(a: NDArray, b: NDArray, out: OutSpec): NDArray {
  const [m = 0, k = 0] = a.shape;
  // matmul accumulates into its output; matvec overwrites every element.
  const y = b.ndim === 1 ? empty(out.shape, out.dtype) : zeros(out.shape, out.dtype);
  if (b.ndim === 1) matvecRows(a.data, b.data, y.data, k, 0, m);
  else matmulData(a.data, b.data, y.data, m, k, b.shape[1] ?? 0);
  scaleInPlace(y, out.alpha);
  return y;
}

/** y *= alpha over the product (m or m×n elements, cheap next to the product's m×k). */
export function scaleInPlace(y: NDArray, alpha = 1): void {
  if (alpha === 1) return;
  const d = y.data as { [i: number]: number; length: number };
  for (let i = 0; i < d.length; i++) d[i] = (d[i] as number) * alpha;
}
