/** The tfjs kernel of `eye`. */

import type { GPUArray } from '../../gpu/array.js';
import { getBackend } from '../../src/array/registry.js';
import type { TfjsBackend } from './backend.js';
import { wrap } from './operands.js';

/** The n×m float32 tensor with `value` on the diagonal (tf.eye, scaled). */
export async function eyeTfjs(n: number, m: number, value: number): Promise<GPUArray> {
  const b = (await getBackend('tfjs')) as TfjsBackend;
  const { tf } = b;
  return wrap(
    b,
    tf.tidy(() => tf.mul(tf.eye(n, m, undefined, 'float32'), tf.scalar(value, 'float32'))),
  );
}
