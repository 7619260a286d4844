/**
 * Dense linear algebra on every array type (LinearAlgebra's triu, tril, diag, diagm, tr, kron,
 * opnorm, cholesky and the triangular solve), as ops: each validates backend-neutrally and
 * dispatches to the kernel of the array's backend. Matrices are row-major, diagonals numbered as
 * Julia's: k = 0 is the main one, k > 0 above it, k < 0 below it.
 */
import { fill, ones } from '../array/create.js';
import { broadcast, map, max, mul, norm, sum, transpose } from '../array/ops.js';
import { type AnyArray, type Awaitable, release, type Same } from '../array/protocol.js';
import { backendOf, getKernel, isArrayLike } from '../array/registry.js';
import { ArgumentError, describe } from '../errors.js';
import { rowsCols } from './host.js';

declare module '../array/protocol.js' {
  interface OpKernels {
    /** A copy of matrix `a` keeping the elements with lo ≤ j − i ≤ hi (finite integers), zeros elsewhere. */
    band(a: AnyArray, lo: number, hi: number): Awaitable<AnyArray>;
    /** The k-th diagonal of matrix `a` as a vector (possibly empty). */
    diag(a: AnyArray, k: number): Awaitable<AnyArray>;
    /** A square matrix with vector `v` on its k-th diagonal. */
    diagm(v: AnyArray, k: number): Awaitable<AnyArray>;
    /** The Kronecker product; a vector counts as a column, and `shape` is the result's shape. */
    kron(a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): Awaitable<AnyArray>;
    /** The lower Cholesky factor of a square matrix, or PosDefError. */
    cholesky(a: AnyArray): Awaitable<AnyArray>;
    /** x with a·x = b for triangular `a` (only its `lower` or upper triangle read). */
    solveTriangular(a: AnyArray, b: AnyArray, lower: boolean): Awaitable<AnyArray>;
  }
}

function matrix(op: string, a: unknown, arg = 'A'): AnyArray {
  if (!isArrayLike(a)) throw new ArgumentError(`${op}: ${arg} must be an array, got ${describe(a)}`);
  if (a.shape.length !== 2) throw new ArgumentError(`${op}: ${arg} must be a matrix, got shape [${a.shape}]`);
  return a;
}

function diagonal(op: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k))
    throw new ArgumentError(
      `${op}: the diagonal k must be an integer (0 main, >0 above, <0 below), got ${describe(k)}`,
    );
  return k;
}

async function band<A extends AnyArray>(op: string, a: A, lo: number, hi: number): Promise<Same<A>> {
  const [m, n] = rowsCols(a.shape);
  // Clamped so kernels get small integers; a band wider than the matrix keeps everything.
  const clamp = (x: number) => Math.max(-m - 1, Math.min(n + 1, x));
  return (await getKernel('band', backendOf(op, [a]))(a, clamp(lo), clamp(hi))) as Same<A>;
}

/**
 * The upper triangle of a matrix from the k-th diagonal up (elements with j − i ≥ k), zeros below.
 *
 * @example await triu(A, 1); // strictly upper
 */
export function triu<A extends AnyArray>(A: A, k = 0): Promise<Same<A>> {
  matrix('triu', A);
  return band('triu', A, diagonal('triu', k), Number.POSITIVE_INFINITY);
}

/** The lower triangle of a matrix up to the k-th diagonal (elements with j − i ≤ k), zeros above. */
export function tril<A extends AnyArray>(A: A, k = 0): Promise<Same<A>> {
  matrix('tril', A);
  return band('tril', A, Number.NEGATIVE_INFINITY, diagonal('tril', k));
}

/**
 * The k-th diagonal of a matrix as a vector of the same array type: A[i, i + k]. A diagonal
 * outside the matrix is an error, as in Julia.
 */
export async function diag<A extends AnyArray>(A: A, k = 0): Promise<Same<A>> {
  matrix('diag', A);
  diagonal('diag', k);
  const [m, n] = rowsCols(A.shape);
  if ((m > 0 || n > 0) && (k > n || k < -m))
    throw new ArgumentError(
      `diag: requested diagonal ${k} of a ${m}×${n} matrix; it must lie in ${-m}..${n}`,
    );
  return (await getKernel('diag', backendOf('diag', [A]))(A, k)) as Same<A>;
}

/**
 * A square matrix with `v` on its k-th diagonal and zeros elsewhere (Julia's `diagm(k => v)`),
 * of side length(v) + |k|.
 */
export async function diagm<A extends AnyArray>(v: A, k = 0): Promise<Same<A>> {
  if (!isArrayLike(v) || v.shape.length !== 1)
    throw new ArgumentError(
      `diagm: v must be a vector, got ${isArrayLike(v) ? `shape [${v.shape}]` : describe(v)}`,
    );
  diagonal('diagm', k);
  return (await getKernel('diagm', backendOf('diagm', [v]))(v, k)) as Same<A>;
}

/** The trace: the sum of the main diagonal of a square matrix. */
export async function tr(A: AnyArray): Promise<number> {
  matrix('tr', A);
  const [m, n] = rowsCols(A.shape);
  if (m !== n) throw new ArgumentError(`tr: expected a square matrix, got shape [${A.shape}]`);
  const d = await diag(A);
  try {
    return await sum(d);
  } finally {
    release(d);
  }
}

/**
 * The Kronecker product of two matrices (a vector counts as a column; two vectors give a vector):
 * an (m·p)×(n·q) matrix of blocks A[i, j]·B. The result dtype is float32 when both are.
 */
export async function kron<A extends AnyArray, B extends AnyArray>(A: A, B: B): Promise<Same<A | B>> {
  for (const [x, arg] of [
    [A, 'A'],
    [B, 'B'],
  ] as const)
    if (!isArrayLike(x) || (x.shape.length !== 1 && x.shape.length !== 2))
      throw new ArgumentError(
        `kron: ${arg} must be a vector or a matrix, got ${isArrayLike(x) ? `shape [${x.shape}]` : describe(x)}`,
      );
  const [m, n] = rowsCols(A.shape);
  const [p, q] = rowsCols(B.shape);
  const shape = A.shape.length === 1 && B.shape.length === 1 ? [m * p] : [m * p, n * q];
  return (await getKernel('kron', backendOf('kron', [A, B]))(A, B, { shape })) as Same<A | B>;
}

/** Options of {@link opnorm}. */
export interface OpnormOptions {
  /** For p = 2: the most power iterations (default 500). */
  maxIter?: number;
}

/**
 * The operator norm of a matrix induced by the vector p-norm: p = 1 is the largest column sum of
 * |A|, p = Infinity the largest row sum, p = 2 (default) the largest singular value, found by the
 * power method on AᵀA (not an SVD: it stops when σ² changes by less than 1e-12 relative, 1e-7
 * for float32, or after `maxIter` steps). Written once over the array ops, so it runs where A is.
 */
export async function opnorm(A: AnyArray, p = 2, { maxIter = 500 }: OpnormOptions = {}): Promise<number> {
  matrix('opnorm', A);
  if (p !== 1 && p !== 2 && p !== Number.POSITIVE_INFINITY)
    throw new ArgumentError(`opnorm: p must be 1, 2 or Infinity, got ${describe(p)}`);
  if (!Number.isInteger(maxIter) || maxIter < 1)
    throw new ArgumentError(`opnorm: maxIter must be a positive integer, got ${describe(maxIter)}`);
  const [m, n] = rowsCols(A.shape);
  if (m === 0 || n === 0) return 0;
  if (p !== 2) {
    const absA = await map((x: number) => Math.abs(x), A);
    const M = p === 1 ? await transpose(absA) : absA;
    const sums = await mul(M, ones([p === 1 ? m : n], A.dtype));
    try {
      return await max(sums);
    } finally {
      release(sums);
      release(M);
      release(absA);
    }
  }
  const At = await transpose(A);
  const tol = A.dtype === 'float32' ? 1e-7 : 1e-12;
  let x: AnyArray = fill([n], 1 / Math.sqrt(n), A.dtype);
  let prev = 0;
  try {
    for (let it = 0; it < maxIter; it++) {
      const y = await mul(A, x);
      const z = await mul(At, y);
      release(y);
      const s = await norm(z);
      // The scale is an argument, not part of the lambda, so one compiled kernel serves every step.
      const xn = await broadcast((v: number, t: number) => v / t, z, s);
      release(z);
      release(x);
      x = xn;
      // ‖AᵀA x‖ for unit x tends to σ₁² from below.
      if (s === 0 || Math.abs(s - prev) <= tol * s) return Math.sqrt(s);
      prev = s;
    }
    return Math.sqrt(prev);
  } finally {
    release(x);
    release(At);
  }
}

/** Options of {@link solveTriangular}. */
export interface SolveTriangularOptions {
  /** A is lower triangular (default false: upper). Only that triangle of A is read. */
  lower?: boolean;
}

/**
 * Solves A·x = b for a triangular square A (Julia's `UpperTriangular(A) \ b`), b a vector or a
 * matrix of right-hand sides; x has b's shape. A zero on A's diagonal is an error (a singular A).
 * On a GPU backend the solve runs on the host (a download and an upload: substitution is
 * sequential), on a DArray the operands are gathered to the caller and x is distributed back.
 */
export async function solveTriangular<A extends AnyArray>(
  A: AnyArray,
  b: A,
  { lower = false }: SolveTriangularOptions = {},
): Promise<Same<A>> {
  matrix('solveTriangular', A);
  if (!isArrayLike(b) || (b.shape.length !== 1 && b.shape.length !== 2))
    throw new ArgumentError(
      `solveTriangular: b must be a vector or a matrix, got ${isArrayLike(b) ? `shape [${b.shape}]` : describe(b)}`,
    );
  const [m, n] = rowsCols(A.shape);
  if (m !== n) throw new ArgumentError(`solveTriangular: A must be square, got shape [${A.shape}]`);
  if (b.shape[0] !== n)
    throw new ArgumentError(`solveTriangular: A is ${n}×${n} but b has ${b.shape[0]} rows; they must agree`);
  if (typeof lower !== 'boolean')
    throw new ArgumentError(`solveTriangular: lower must be true or false, got ${describe(lower)}`);
  return (await getKernel('solveTriangular', backendOf('solveTriangular', [A, b]))(A, b, lower)) as Same<A>;
}

/**
 * The Cholesky factor of a symmetric positive definite matrix: the lower triangular L with
 * A = L·Lᵀ (Julia's `cholesky(A).L`; its `.U` is `transpose(L)`). Only the lower triangle of A is
 * read. A matrix that is not positive definite throws PosDefError (Julia's PosDefException).
 * On a GPU backend the factorisation runs on the host (a download and an upload); on a DArray the
 * matrix is gathered to the caller and L is distributed back over the same processes.
 */
export async function cholesky<A extends AnyArray>(A: A): Promise<Same<A>> {
  matrix('cholesky', A);
  const [m, n] = rowsCols(A.shape);
  if (m !== n) throw new ArgumentError(`cholesky: expected a square matrix, got shape [${A.shape}]`);
  return (await getKernel('cholesky', backendOf('cholesky', [A]))(A)) as Same<A>;
}
