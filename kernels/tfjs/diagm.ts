/** The tfjs kernel of `diagm`: v gathered at min(row, column), masked to the k-th diagonal. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** A square matrix of side len(v) + |k| with v on its k-th diagonal. */
export function diagmTfjs(v: AnyArray, k: number): GPUArray {
  const b = tfjsOf('diagm', [v]);
  const { tf } = b;
  const len = v.shape[0] ?? 0;
  const N = len + Math.abs(k);
  const t = tf.tidy(() => {
    if (len === 0) return tf.zeros([N, N], 'float32');
    const rows = tf.reshape(tf.range(0, N, 1, 'int32'), [N, 1]);
    const cols = tf.reshape(tf.range(0, N, 1, 'int32'), [1, N]);
    const on = tf.equal(tf.sub(cols, rows), k);
    const at = tf.clipByValue(tf.minimum(rows, cols), 0, len - 1);
    const vals = tf.reshape(tf.gather(tensorOf(b, v, 'diagm'), tf.reshape(at, [N * N])), [N, N]);
    return tf.where(on, vals, tf.zerosLike(vals));
  });
  return wrap(b, t);
}
