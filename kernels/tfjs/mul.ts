/** The tfjs kernel of `mul`: tf.matMul, with a vector as a k×1 matrix. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** A·b on tfjs; shapes were checked by `mul`. */
export function mulTfjs(a: AnyArray, b: AnyArray, out: OutSpec): GPUArray {
  const be = tfjsOf('mul', [a, b]);
  const { tf } = be;
  const t = tf.tidy(() => {
    const A = tensorOf(be, a, 'mul') as Parameters<typeof tf.matMul>[0];
    const B = tensorOf(be, b, 'mul');
    const B2 = b.shape.length === 1 ? tf.reshape(B, [b.shape[0] ?? 0, 1]) : B;
    const y = tf.reshape(tf.matMul(A, B2 as Parameters<typeof tf.matMul>[1]), [...out.shape]);
    return out.alpha === undefined ? y : tf.mul(y, out.alpha);
  });
  return wrap(be, t);
}
