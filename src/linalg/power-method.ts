/** The power method, written once against the array protocol (NDArray, GPUArray, DArray alike). */

import { broadcast, mul, norm } from '../array/ops.js';
import { type AnyArray, release, type Same } from '../array/protocol.js';
import { ArgumentError } from '../errors.js';

/** Options of {@link powerMethod}. */
export interface PowerMethodOptions {
  /** Number of iterations (default 100, as in the Julia manual's `power_method`). */
  iters?: number;
}

const scaleBy = (a: number, s: number) => a / s;

/**
 * Starts `‖u‖` and `M·u` together and waits for both. The norm is requested first, so that on a
 * DArray the workers answer it and go straight on to the product while the answer travels.
 */
async function normAndProduct(M: AnyArray, u: AnyArray): Promise<[number, AnyArray]> {
  const c = norm(u);
  const z = mul(M, u);
  const [cs, zs] = await Promise.allSettled([c, z]);
  if (cs.status === 'fulfilled' && zs.status === 'fulfilled') return [cs.value, zs.value];
  if (zs.status === 'fulfilled') release(zs.value);
  throw cs.status === 'rejected' ? cs.reason : (zs as PromiseRejectedResult).reason;
}

/**
 * Estimates the dominant eigenpair of `M` by repeated multiplication: `[v, lambda]` with `v` of
 * unit 2-norm and `lambda = ‖M v‖ / ‖v‖` (the magnitude of the dominant eigenvalue).
 *
 * The textbook loop (`y = M·v; v = y / ‖y‖`) makes every product wait for the norm before it, so a
 * DArray's workers would sit idle for a round trip to the caller each iteration. Here each product
 * is started together with the norm of its input, and its result is divided by the scale that
 * keeps the next iterate near unit norm: ‖u‖ times the latest estimate of |λ|. The iterates are the
 * same vectors up to a positive factor and stay as far from overflow as the textbook ones; only the
 * returned `v` is normalised exactly.
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
  if (iters === 0) {
    const [c, Mv] = await normAndProduct(M, v);
    const lambda = (await norm(Mv)) / c;
    release(Mv);
    return [v as Same<A>, lambda];
  }
  // The first step as in the textbook, to learn the first estimate of |λ| and start at unit norm.
  const [c0, y] = await normAndProduct(M, v);
  let sigma = await norm(y);
  let u = await broadcast(scaleBy, y, sigma);
  release(y);
  // Invariant: u = M·uPrev / sigma, with uNorm = ‖uPrev‖.
  let uNorm = c0;
  for (let i = 1; i < iters; i++) {
    const [c, z] = await normAndProduct(M, u);
    // ‖M·uPrev‖ / ‖uPrev‖ = c·sigma / uNorm: the |λ| of the previous step.
    const lambdaEst = (c * sigma) / uNorm;
    sigma = c * lambdaEst;
    const next = await broadcast(scaleBy, z, sigma);
    // Temporaries on a GPU or on workers are freed now rather than when the GC gets to them.
    release(z);
    release(u, v);
    u = next;
    uNorm = c;
  }
  const [c, Mu] = await normAndProduct(M, u);
  const lambda = (await norm(Mu)) / c;
  release(Mu);
  const x = await broadcast(scaleBy, u, c);
  release(u, v);
  return [x as Same<A>, lambda];
}
