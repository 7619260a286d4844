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
 * keeps the iterate near unit norm without waiting for anything; the division rides on the next
 * product as its `alpha`, so a step is a single operation. The norm is still checked: at every
 * other product while the estimate moves, then every few products (up to
 * {@link MAX_CHECK_INTERVAL}) as it settles, each check refining the estimate from the growth since
 * the last one and dividing the drift out. A check is requested with a product and read one
 * product later, so the workers always have a product queued while the answer travels. The
 * iterates are the same vectors up to a positive factor and stay within a small factor of unit
 * norm; what is kept between steps is one undivided product of such an iterate, as far from
 * overflow as the textbook's `M·v`. Only the returned `v` is normalised exactly.
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
  // The k-th iterate is u / scale: each step's divisor is applied by the next product as its
  // alpha, so a step is one operation (one command per worker on a DArray), not a product and a
  // division. u itself is one product away from an iterate of about unit norm.
  let u: AnyArray = y;
  let scale = sigma;
  let lambdaEst = sigma / c0;
  // logDiv is the sum of the logs of the divisors of the products so far.
  let k = 1;
  let logDiv = 0;
  // The last iterate whose norm is known (the first, of norm 1), and one whose norm is on its way.
  let known = { k: 1, logNorm: 0, logDiv: 0 };
  let pending: { k: number; logDiv: number; logScale: number; norm: Promise<number> } | undefined;
  let interval = 1;
  for (let i = 1; i < iters; i++) {
    // A check asks for ‖u‖ with the product of u and reads it one product later, so the workers of
    // a DArray (or a GPU) have that product to run while the answer travels.
    let check: Promise<number> | undefined;
    if (!pending && k - known.k >= interval) {
      check = norm(u);
      check.catch(() => {});
    }
    const product = mul(M, u, { alpha: 1 / scale });
    let divisor = lambdaEst;
    if (pending) {
      // If the check failed, the product started with it is still freed.
      const logNorm =
        Math.log(
          await pending.norm.catch((err: unknown) => {
            product.then(release, () => {});
            throw err;
          }),
        ) - pending.logScale;
      // ‖u‖ went from the known iterate to the checked one with growth |λ|/divisor per product.
      const est = Math.exp((logNorm - known.logNorm + pending.logDiv - known.logDiv) / (pending.k - known.k));
      interval = checkInterval(lambdaEst, est);
      lambdaEst = est;
      known = { k: pending.k, logNorm, logDiv: pending.logDiv };
      pending = undefined;
      // This product also divides out the drift of ‖u‖ since the checked iterate.
      divisor = est * Math.exp(logNorm + (k - known.k) * Math.log(est) - (logDiv - known.logDiv));
    }
    if (check) pending = { k, logDiv, logScale: Math.log(scale), norm: check };
    const z = await product;
    logDiv += Math.log(divisor);
    k++;
    // Temporaries on a GPU or on workers are freed now rather than when the GC gets to them.
    release(u, v);
    u = z;
    scale = divisor;
  }
  // A check still on its way is not needed any more, but its failure should not go unnoticed.
  if (pending) await pending.norm;
  // The last division is applied here, so the final product is of an iterate of about unit norm.
  const last = await broadcast(scaleBy, u, scale);
  release(u, v);
  const [c, Mu] = await normAndProduct(M, last);
  const lambda = (await norm(Mu)) / c;
  release(Mu);
  const x = await broadcast(scaleBy, last, c);
  release(last, v);
  return [x as Same<A>, lambda];
}
