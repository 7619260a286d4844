/** The power method, written once against the array protocol (NDArray, GPUArray, DArray alike). */

import { broadcast, mul, norm } from '../array/ops.js';
import { type AnyArray, release, type Same } from '../array/protocol.js';
import { ArgumentError } from '../errors.js';

/** Options of {@link powerMethod}. */
export interface PowerMethodOptions {
  /** Number of iterations (default 100, as in the Julia manual's `power_method`). */
  iters?: number;
}

/**
 * Estimates the dominant eigenpair of `M` by repeated multiplication: `[v, lambda]` with `v` of
 * unit 2-norm and `lambda = ‖M v‖ / ‖v‖` (the magnitude of the dominant eigenvalue).
 *
 * @example
 * const [v, lambda] = await powerMethod(array([[2, 1], [1, 1]]), rand([2], { seed: 1 }));
 * // lambda ≈ 2.618033988749895
 */
export async function powerMethod<A extends AnyArray>(
  M: A,
  v: A,
  { iters = 100 }: PowerMethodOptions = {},
): Promise<[Same<A>, number]> {
  if (!Number.isInteger(iters) || iters < 0)
    throw new ArgumentError(`powerMethod: iters must be a non-negative integer, got ${iters}`);
  let x = v as AnyArray;
  for (let i = 0; i < iters; i++) {
    const y = await mul(M, x);
    const next = await broadcast((a: number, s: number) => a / s, y, await norm(y));
    // Temporaries on a GPU or on workers are freed now rather than when the GC gets to them.
    release(y);
    release(x, v);
    x = next;
  }
  const Mx = await mul(M, x);
  const lambda = (await norm(Mx)) / (await norm(x));
  release(Mx);
  return [x as Same<A>, lambda];
}
