/** The tfjs kernel of `norm`: scaled by the largest |x| so float32 squares neither overflow nor underflow. */

import type { AnyArray } from '../../src/array/protocol.js';
import type { Tensor } from './backend.js';
import { tensorOf, tfjsOf } from './operands.js';

async function scalar(t: Tensor): Promise<number> {
  const [v] = await t.data();
  t.dispose();
  return v!;
}

/** The p-norm of a tfjs array. */
export async function normTfjs(x: AnyArray, p: number): Promise<number> {
  const b = tfjsOf('norm', [x]);
  const { tf } = b;
  if (x.shape.reduce((s, d) => s * d, 1) === 0) return 0;
  const abs = tf.tidy(() => tf.abs(tensorOf(b, x, 'norm')));
  try {
    if (p === 1) return await scalar(tf.sum(abs));
    if (p === Number.NEGATIVE_INFINITY) return await scalar(tf.min(abs));
    if (p === 0) return await scalar(tf.tidy(() => tf.sum(tf.cast(tf.notEqual(abs, 0), 'float32'))));
    const hasNaN = await scalar(tf.tidy(() => tf.cast(tf.any(tf.isNaN(abs)), 'float32')));
    if (hasNaN) return Number.NaN;
    const m = await scalar(tf.max(abs));
    if (p === Number.POSITIVE_INFINITY || m === 0 || !Number.isFinite(m)) return m;
    const s = await scalar(tf.tidy(() => tf.sum(tf.pow(tf.div(abs, m), p))));
    return m * s ** (1 / p);
  } finally {
    abs.dispose();
  }
}
