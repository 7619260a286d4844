/** The tfjs kernel of `reshape`. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** `a`'s elements in row-major order under `shape`, as a new tensor. */
export function reshapeTfjs(a: AnyArray, shape: readonly number[]): GPUArray {
  const b = tfjsOf('reshape', [a]);
  // clone(): the result owns its tensor, so disposing it leaves `a` intact.
  return wrap(
    b,
    b.tf.tidy(() => b.tf.reshape(tensorOf(b, a, 'reshape'), [...shape]).clone()),
  );
}
