/** The tfjs kernel of `transpose`. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** aᵀ as a new tensor (a vector becomes a 1×n matrix). */
export function transposeTfjs(a: AnyArray): GPUArray {
  const b = tfjsOf('transpose', [a]);
  const t = b.tf.tidy(() => {
    const x = tensorOf(b, a, 'transpose');
    return a.shape.length === 1 ? b.tf.reshape(x, [1, a.shape[0] ?? 0]).clone() : b.tf.transpose(x);
  });
  return wrap(b, t);
}
