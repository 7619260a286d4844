/** The tfjs kernel of `band` (triu, tril): a mask from two ranges, then where(). */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** A copy of matrix `a` with the elements outside lo ≤ j − i ≤ hi set to zero. */
export function bandTfjs(a: AnyArray, lo: number, hi: number): GPUArray {
  const b = tfjsOf('band', [a]);
  const { tf } = b;
  const [m = 0, n = 0] = a.shape;
  const t = tf.tidy(() => {
    const x = tensorOf(b, a, 'band');
    const d = tf.sub(
      tf.reshape(tf.range(0, n, 1, 'int32'), [1, n]),
      tf.reshape(tf.range(0, m, 1, 'int32'), [m, 1]),
    );
    const keep = tf.logicalAnd(tf.greaterEqual(d, lo), tf.lessEqual(d, hi));
    return tf.where(keep, x, tf.zerosLike(x));
  });
  return wrap(b, t);
}
