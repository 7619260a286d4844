/** The CPU kernel of `mul`: matrix–vector and matrix–matrix products in plain JS loops. */
import { empty, zeros } from '../../src/array/create.js';
import type { ColumnBlock } from '../../src/array/host-kernels.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { OutSpec } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';

/** y[r] = Σ_j A[r, j]·x[j] for rows start ≤ r < end of the row-major m×n matrix A. */
export function matvecRows(
  a: ArrayLike<number>,
  x: ArrayLike<number>,
  y: { [i: number]: number },
  n: number,
  start: number,
  end: number,
): void {
  let r = start;
  // Four rows at a time so each load of x[j] feeds four products.
  for (; r + 3 < end; r += 4) {
    const o0 = r * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
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
    y[r] = s0;
    y[r + 1] = s1;
    y[r + 2] = s2;
    y[r + 3] = s3;
  }
  for (; r < end; r++) {
    const o = r * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += a[o + j]! * x[j]!;
    y[r] = s;
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

/**
 * y = A[:, start:start+x.size]·x, or y += that with `accumulate`, optionally over a range of rows
 * only: a matrix–vector product built from blocks, so that a DArray owner can start on its own part
 * of the vector while the other parts are still on their way from its peers.
 */
export function matvecBlock(a: NDArray, x: NDArray, y: NDArray, block: ColumnBlock): void {
  checkBlock(a, x, y, block);
  const [m = 0, lda = 0] = a.shape;
  const n = x.size;
  const [r0, r1] = block.rows ?? [0, m];
  const A = a.data;
  const X = x.data;
  const Y = y.data as { [i: number]: number };
  for (let r = r0; r < r1; r++) {
    const o = r * lda + block.start;
    let s = 0;
    for (let j = 0; j < n; j++) s += A[o + j]! * X[j]!;
    Y[r] = block.accumulate ? Y[r]! + s : s;
  }
}

/** Refuses a block that does not fit the matrix or the result (before any variant touches memory). */
export function checkBlock(a: NDArray, x: NDArray, y: NDArray, block: ColumnBlock): void {
  const [m = 0, lda = 0] = a.shape;
  const n = x.size;
  const [r0, r1] = block.rows ?? [0, m];
  if (a.ndim !== 2 || y.size !== m || block.start < 0 || block.start + n > lda || r0 < 0 || r1 > m || r0 > r1)
    throw new ArgumentError(
      `matvecBlock: rows [${r0}, ${r1}) and columns [${block.start}, ${block.start + n}) of a [${a.shape}] matrix into a vector of ${y.size}`,
    );
}
