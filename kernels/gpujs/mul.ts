/** The gpu.js kernel of `mul`: a matvec kernel (one thread per row) and a matmul kernel (one per element). */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/** gpu.js source of y[r] = α·Σ_j A[r, j]·x[j] for k columns (α an argument, so one kernel serves all). */
export const matvecSource = (k: number): string =>
  `function(A, x, alpha) { const o = this.thread.x * ${k}; let s = 0.0; for (let j = 0; j < ${k}; j++) { s += A[o + j] * x[j]; } return s * alpha; }`;

/** gpu.js source of C[y][x] = α·Σ_q A[y, q]·B[q, x] for A of k columns and B of n columns. */
export const matmulSource = (k: number, n: number): string =>
  `function(A, B, alpha) { let s = 0.0; for (let q = 0; q < ${k}; q++) { s += A[this.thread.y * ${k} + q] * B[q * ${n} + this.thread.x]; } return s * alpha; }`;

/** A·b on gpu.js; shapes were checked by `mul`. */
export function mulGpujs(a: AnyArray, b: AnyArray, out: OutSpec): GPUArray {
  const be = gpujsOf('mul', [a, b]);
  const [m = 0, k = 0] = a.shape;
  const n = b.shape.length === 2 ? (b.shape[1] ?? 0) : 1;
  const A = dataOf(a, 'mul');
  const B = dataOf(b, 'mul');
  if (m * n === 0) return wrap(be, new Float32Array(0), out.shape);
  const r =
    b.shape.length === 1
      ? be.kernel(matvecSource(k), [m])(A, B, out.alpha ?? 1)
      : be.kernel(matmulSource(k, n), [n, m])(A, B, out.alpha ?? 1);
  return wrap(be, flatten(r, m * n), out.shape);
}
