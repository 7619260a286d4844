/** The tfjs kernel of `similar`. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tfjsOf, wrap } from './operands.js';

/** A new zero-filled float32 tensor of `shape` (GPU arrays are float32 whatever dtype was asked). */
export function similarTfjs(a: AnyArray, shape: readonly number[]): GPUArray {
  const b = tfjsOf('similar', [a]);
  return wrap(b, b.tf.zeros([...shape], 'float32'));
}
