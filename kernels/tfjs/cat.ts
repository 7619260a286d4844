/** The tfjs kernel of `cat`. */

import type { GPUArray } from '../../gpu/array.js';
import type { DType } from '../../src/array/dtype.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** `arrays` (each padded with trailing axes of 1) joined along `dim` with tf.concat. */
export function catTfjs(
  arrays: readonly AnyArray[],
  dim: number,
  spec: { shape: readonly number[]; dtype: DType },
): GPUArray {
  const b = tfjsOf('cat', arrays);
  const nd = spec.shape.length;
  const t = b.tf.tidy(() => {
    const parts = arrays.map((a) =>
      b.tf.reshape(tensorOf(b, a, 'cat'), [...a.shape, ...new Array<number>(nd - a.shape.length).fill(1)]),
    );
    return parts.length === 1
      ? (parts[0] as ReturnType<typeof b.tf.reshape>).clone()
      : b.tf.concat(parts, dim);
  });
  return wrap(b, t);
}
