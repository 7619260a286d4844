/** The CPU kernel of `norm`: p = 2 in one pass, rescaled only when the plain sum over/underflows. */

import type { TypedArray } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';

/** Largest |x[i]|, NaN if any element is NaN. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > m || Number.isNaN(a)) m = a;
  }
  return m;
}

/** Σ x[i]², with two accumulators so the loop is not one long dependency chain. */
export function sumSquares(x: ArrayLike<number>): number {
  let s0 = 0;
  let s1 = 0;
  const n = x.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const a = x[i]!;
    const b = x[i + 1]!;
    s0 += a * a;
    s1 += b * b;
  }
  if (i < n) s0 += x[i]! * x[i]!;
  return s0 + s1;
}

/** Sum of squares, rescaled by the largest element when the plain sum overflows or underflows. */
export function norm2(x: ArrayLike<number>, plain: (x: ArrayLike<number>) => number = sumSquares): number {
  const s = plain(x);
  // Below 1e-280 squares of small elements may have flushed to zero; above MAX they overflowed.
  if (s > 1e-280 && s < Number.POSITIVE_INFINITY) return Math.sqrt(s);
  if (Number.isNaN(s)) return s;
  const m = maxAbs(x);
  if (m === 0 || !Number.isFinite(m)) return m;
  let t = 0;
  for (let i = 0; i < x.length; i++) {
    const r = x[i]! / m;
    t += r * r;
  }
  return m * Math.sqrt(t);
}

/** The CPU kernel of `norm` for any p, scaled by the largest element so that it does not overflow. */
export function normCpu(x: NDArray, p: number): number {
  const d: TypedArray = x.data;
  if (p === 2) return norm2(d);
  if (p === Number.POSITIVE_INFINITY) return maxAbs(d);
  if (p === 1) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += Math.abs(d[i]!);
    return s;
  }
  if (p === Number.NEGATIVE_INFINITY) {
    let m = Number.POSITIVE_INFINITY;
    for (let i = 0; i < d.length; i++) m = Math.min(m, Math.abs(d[i]!));
    return d.length ? m : 0;
  }
  if (p === 0) {
    let c = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) c++;
    return c;
  }
  const m = maxAbs(d);
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += (Math.abs(d[i]!) / m) ** p;
  return m * s ** (1 / p);
}
