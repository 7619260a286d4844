/** The tfjs kernel of `permutedims`. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** A new tensor whose axis k is axis perm[k] of `a`. */
export function permutedimsTfjs(a: AnyArray, perm: readonly number[]): GPUArray {
  const b = tfjsOf('permutedims', [a]);
  return wrap(
    b,
    b.tf.tidy(() => b.tf.transpose(tensorOf(b, a, 'permutedims'), [...perm]).clone()),
  );
}
