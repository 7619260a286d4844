/** Conjugate gradients for symmetric positive definite systems, written once against the protocol. */

import { broadcast, dot, mul, norm } from '../array/ops.js';
import { type AnyArray, release, type Same } from '../array/protocol.js';
import { ArgumentError } from '../errors.js';

/** Options of {@link cg}. */
export interface CgOptions<A extends AnyArray> {
  /** Starting guess (default: zeros, as 0 · b). */
  x0?: A;
  /** Stop when ‖b − A x‖ ≤ rtol · ‖b‖ (default 1e-10). */
  rtol?: number;
  /** Iteration limit (default: the length of b). */
  maxIter?: number;
}

/** The solution and how it was reached. */
export interface CgResult<A> {
  x: A;
  iterations: number;
  /** ‖b − A x‖ at the end (the recurrence's residual). */
  residualNorm: number;
  converged: boolean;
}

/**
 * Solves `A x = b` for symmetric positive definite `A` by conjugate gradients.
 *
 * @example
 * const { x } = await cg(array([[4, 1], [1, 3]]), array([1, 2])); // x ≈ [1/11, 7/11]
 */
export async function cg<A extends AnyArray>(
  A: A,
  b: A,
  options: CgOptions<A> = {},
): Promise<CgResult<Same<A>>> {
  const n = b.shape[0] ?? 0;
  const rtol = options.rtol ?? 1e-10;
  const maxIter = options.maxIter ?? Math.max(n, 1);
  if (b.shape.length !== 1) throw new ArgumentError(`cg: b must be a vector, got shape [${b.shape}]`);
  let x: AnyArray = options.x0 ?? (await broadcast((t: number) => 0 * t, b));
  let r: AnyArray = b;
  if (options.x0) {
    const Ax = await mul(A, x);
    r = await broadcast((bi: number, ai: number) => bi - ai, b, Ax);
    release(Ax);
  }
  let p: AnyArray = r;
  let rr = await dot(r, r);
  const stop = rtol * (await norm(b));
  let k = 0;
  while (Math.sqrt(rr) > stop && k < maxIter) {
    const Ap = await mul(A, p);
    const alpha = rr / (await dot(p, Ap));
    const xNext = await broadcast((xi: number, pi: number, a: number) => xi + a * pi, x, p, alpha);
    const rNext = await broadcast((ri: number, api: number, a: number) => ri - a * api, r, Ap, alpha);
    release(Ap);
    release(x, options.x0);
    const rrNext = await dot(rNext, rNext);
    const pNext = await broadcast(
      (ri: number, pi: number, beta: number) => ri + beta * pi,
      rNext,
      p,
      rrNext / rr,
    );
    // Temporaries on a GPU or on workers are freed now rather than when the GC gets to them.
    if (p !== r) release(p, b);
    release(r, b);
    x = xNext;
    r = rNext;
    p = pNext;
    rr = rrNext;
    k++;
  }
  const residualNorm = Math.sqrt(rr);
  return { x: x as Same<A>, iterations: k, residualNorm, converged: residualNorm <= stop };
}
