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

/** Most products between two checks of the iterate's norm, once the estimate of |λ| has settled. */
const MAX_CHECK_INTERVAL = 16;

/**
 * Products until the next check: as many as keep the iterate's norm within a factor of 2, if the
 * estimate of |λ| is off by as much as it moved at the last check (one while it is unsettled).
 */
function checkInterval(previous: number, latest: number): number {
  const moved = Math.abs(Math.log(latest / previous));
  if (!Number.isFinite(moved)) return 1;
  return Math.max(1, Math.min(MAX_CHECK_INTERVAL, Math.floor(Math.LN2 / moved)));
}

/**
 * Estimates the dominant eigenpair of `M` by repeated multiplication: `[v, lambda]` with `v` of
 * unit 2-norm and `lambda = ‖M v‖ / ‖v‖` (the magnitude of the dominant eigenvalue).
 *
 * The textbook loop (`y = M·v; v = y / ‖y‖`) makes every product wait for the norm before it, so a
 * DArray's workers would sit idle for a round trip to the caller each iteration, and a GPU would
 * stop for a read-back. Here each product is divided by the latest estimate of |λ| instead, which
 * keeps the iterate near unit norm without waiting for anything. The norm is still checked: at
 * every product while the estimate moves, then every few products (up to
 * {@link MAX_CHECK_INTERVAL}) as it settles, each check refining the estimate from the growth since
 * the last one and dividing the drift out. A checked norm is requested together with the product,
 * so that on a DArray the workers answer it and go straight on. The iterates are the same vectors
 * up to a positive factor and stay within a factor of about 2 of unit norm, as far from overflow
 * as the textbook ones; only the returned `v` is normalised exactly.
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
  const sigma = await norm(y);
  let u = await broadcast(scaleBy, y, sigma);
  release(y);
  let lambdaEst = sigma / c0;
  // Since the last check, where ‖u‖ was lastNorm: the products made and the log of their divisors.
  let lastNorm = 1;
  let products = 0;
  let logDivisors = 0;
  let interval = 1;
  for (let i = 1; i < iters; i++) {
    let z: AnyArray;
    let divisor = lambdaEst;
    if (products === interval) {
      const [c, product] = await normAndProduct(M, u);
      z = product;
      // ‖u‖ grew from lastNorm to c over `products` products, each divided by its divisor.
      const est = Math.exp((Math.log(c / lastNorm) + logDivisors) / products);
      interval = checkInterval(lambdaEst, est);
      lambdaEst = est;
      divisor = c * lambdaEst;
      lastNorm = c;
      products = 0;
      logDivisors = 0;
    } else z = await mul(M, u);
    const next = await broadcast(scaleBy, z, divisor);
    products++;
    logDivisors += Math.log(divisor);
    // Temporaries on a GPU or on workers are freed now rather than when the GC gets to them.
    release(z);
    release(u, v);
    u = next;
  }
  const [c, Mu] = await normAndProduct(M, u);
  const lambda = (await norm(Mu)) / c;
  release(Mu);
  const x = await broadcast(scaleBy, u, c);
  release(u, v);
  return [x as Same<A>, lambda];
}
