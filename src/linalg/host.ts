/**
 * The linear-algebra kernels on the host, in plain loops over NDArrays: the CPU backend's kernels,
 * the host route of the GPU backends for cholesky and solveTriangular, and what DArray owners run
 * when they build a chunk on the host.
 */
import { empty, zeros } from '../array/create.js';
import { type DType, resultDType } from '../array/dtype.js';
import type { NDArray } from '../array/ndarray.js';
import { ArgumentError, PosDefError } from '../errors.js';

/** Rows and columns of a matrix, a vector counting as one column. */
export const rowsCols = (shape: readonly number[]): [number, number] => [shape[0] ?? 1, shape[1] ?? 1];

/** A copy of `a` keeping the elements with lo ≤ j − i ≤ hi (triu and tril), zeros elsewhere. */
export function bandHost(a: NDArray, lo: number, hi: number): NDArray {
  const [m, n] = rowsCols(a.shape);
  const out = zeros(a.shape, a.dtype);
  for (let i = 0; i < m; i++)
    for (let j = Math.max(0, i + lo); j < Math.min(n, i + hi + 1); j++)
      out.data[i * n + j] = a.data[i * n + j]!;
  return out;
}

/** Length of the k-th diagonal of an m×n matrix (0 when it lies outside). */
export function diagLength(m: number, n: number, k: number): number {
  return Math.max(0, k >= 0 ? Math.min(m, n - k) : Math.min(m + k, n));
}

/** The k-th diagonal of a matrix as a vector: a[i, i + k]. */
export function diagHost(a: NDArray, k: number): NDArray {
  const [m, n] = rowsCols(a.shape);
  const len = diagLength(m, n, k);
  const out = empty([len], a.dtype);
  const r0 = Math.max(0, -k);
  for (let t = 0; t < len; t++) out.data[t] = a.data[(r0 + t) * n + r0 + t + k]!;
  return out;
}

/** A square matrix of side len(v) + |k| with v on its k-th diagonal, zeros elsewhere. */
export function diagmHost(v: NDArray, k: number): NDArray {
  const len = v.size;
  const N = len + Math.abs(k);
  const out = zeros([N, N], v.dtype);
  const r0 = Math.max(0, -k);
  for (let t = 0; t < len; t++) out.data[(r0 + t) * N + r0 + t + k] = v.data[t]!;
  return out;
}

/** The Kronecker product of two arrays viewed as matrices (see kronShape), with shape `shape`. */
export function kronHost(a: NDArray, b: NDArray, shape: readonly number[], dtype: DType): NDArray {
  const [m, n] = rowsCols(a.shape);
  const [p, q] = rowsCols(b.shape);
  const out = empty(shape, dtype);
  const N = n * q;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const s = a.data[i * n + j]!;
      for (let r = 0; r < p; r++)
        for (let c = 0; c < q; c++) out.data[(i * p + r) * N + j * q + c] = s * b.data[r * q + c]!;
    }
  return out;
}

/**
 * The lower Cholesky factor L of a symmetric positive definite matrix (A = L·Lᵀ), reading only the
 * lower triangle of A (as LAPACK's potrf with uplo 'L'). Throws PosDefError at the first pivot
 * that is not positive.
 */
export function choleskyHost(a: NDArray): NDArray {
  const n = a.shape[0] ?? 0;
  const dtype = resultDType([a.dtype]);
  const L = zeros([n, n], dtype);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a.data[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) throw new PosDefError(j);
    const djj = Math.sqrt(d);
    l[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let s = a.data[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / djj;
    }
  }
  L.data.set(l);
  return L;
}

/**
 * Solves A·x = b for triangular A (lower or upper; the other triangle is not read) by substitution,
 * b a vector or a matrix of right-hand sides. A zero on the diagonal is an error (A is singular).
 */
export function solveTriangularHost(a: NDArray, b: NDArray, lower: boolean): NDArray {
  const n = a.shape[0] ?? 0;
  const cols = b.shape[1] ?? 1;
  const x = Float64Array.from(b.data);
  for (let t = 0; t < n; t++) {
    const i = lower ? t : n - 1 - t;
    const d = a.data[i * n + i]!;
    if (d === 0)
      throw new ArgumentError(
        `solveTriangular: A is singular: its diagonal element [${i}, ${i}] is 0; a triangular solve needs a nonzero diagonal`,
      );
    const [k0, k1] = lower ? [0, i] : [i + 1, n];
    for (let c = 0; c < cols; c++) {
      let s = x[i * cols + c]!;
      for (let k = k0; k < k1; k++) s -= a.data[i * n + k]! * x[k * cols + c]!;
      x[i * cols + c] = s / d;
    }
  }
  const out = empty(b.shape, resultDType([a.dtype, b.dtype]));
  out.data.set(x);
  return out;
}
