/** The tfjs kernel of `kron`: a broadcast product of a [m,1,n,1] and b [1,p,1,q], reshaped. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { rowsCols } from '../../src/linalg/host.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** The Kronecker product (vectors as columns), of shape `out.shape`. */
export function kronTfjs(a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): GPUArray {
  const dev = tfjsOf('kron', [a, b]);
  const { tf } = dev;
  const [m, n] = rowsCols(a.shape);
  const [p, q] = rowsCols(b.shape);
  const t = tf.tidy(() =>
    tf.reshape(
      tf.mul(
        tf.reshape(tensorOf(dev, a, 'kron'), [m, 1, n, 1]),
        tf.reshape(tensorOf(dev, b, 'kron'), [1, p, 1, q]),
      ),
      [...out.shape],
    ),
  );
  return wrap(dev, t);
}
