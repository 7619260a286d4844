/** isApprox: Julia's rule ‖a − b‖ ≤ max(atol, rtol·max(‖a‖, ‖b‖)), written once over the protocol. */
import { ArgumentError, describe } from '../errors.js';
import { broadcast, norm } from './ops.js';
import type { AnyArray } from './protocol.js';
import { isArrayLike } from './registry.js';
import { sameShape } from './shape.js';

/** Tolerances of {@link isApprox}; `rtol` defaults to √ε of the dtype (0 when atol > 0 is given). */
export interface ApproxOptions {
  rtol?: number;
  atol?: number;
  /** The norm's p (default 2). */
  p?: number;
}

const SQRT_EPS = { float32: Math.sqrt(2 ** -23), float64: Math.sqrt(2 ** -52) };

/**
 * Whether two arrays (of one shape) or two numbers are approximately equal in Julia's sense.
 *
 * @example
 * await isApprox(await broadcast((a, b) => 2 * a / b, A, B), fill([10000], 4 * Math.PI)); // true
 */
export async function isApprox(
  a: AnyArray | number,
  b: AnyArray | number,
  options: ApproxOptions = {},
): Promise<boolean> {
  const atol = options.atol ?? 0;
  const loosest =
    isArrayLike(a) && isArrayLike(b) && (a.dtype === 'float32' || b.dtype === 'float32')
      ? 'float32'
      : 'float64';
  const rtol = options.rtol ?? (atol > 0 ? 0 : SQRT_EPS[loosest]);
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return Math.abs(a - b) <= Math.max(atol, rtol * Math.max(Math.abs(a), Math.abs(b)));
  }
  if (!isArrayLike(a) || !isArrayLike(b))
    throw new ArgumentError(
      `isApprox: expected two arrays or two numbers, got ${describe(a)} and ${describe(b)}`,
    );
  if (!sameShape(a.shape, b.shape))
    throw new ArgumentError(`isApprox: shapes [${a.shape}] and [${b.shape}] differ`);
  const p = options.p ?? 2;
  const [d, na, nb] = await Promise.all([
    broadcast((x: number, y: number) => x - y, a, b).then((diff) => norm(diff, p)),
    norm(a, p),
    norm(b, p),
  ]);
  return d <= Math.max(atol, rtol * Math.max(na, nb));
}
