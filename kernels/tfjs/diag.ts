/** The tfjs kernel of `diag`: a gather of the flattened matrix at a strided range. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { diagLength } from '../../src/linalg/host.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** a[i, i + k] for each i on the diagonal, as a vector. */
export function diagTfjs(a: AnyArray, k: number): GPUArray {
  const b = tfjsOf('diag', [a]);
  const { tf } = b;
  const [m = 0, n = 0] = a.shape;
  const len = diagLength(m, n, k);
  const r0 = Math.max(0, -k);
  const start = r0 * n + r0 + k;
  const t = tf.tidy(() => {
    if (len === 0) return tf.zeros([0], 'float32');
    const x = tf.reshape(tensorOf(b, a, 'diag'), [m * n]);
    return tf.gather(x, tf.range(start, start + len * (n + 1), n + 1, 'int32'));
  });
  return wrap(b, t);
}
