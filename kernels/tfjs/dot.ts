/** The tfjs kernel of `dot`. */
import type { AnyArray } from '../../src/array/protocol.js';
import { tensorOf, tfjsOf } from './operands.js';

/** Σ x[i]·y[i] as one tf.sum of the product. */
export async function dotTfjs(x: AnyArray, y: AnyArray): Promise<number> {
  const b = tfjsOf('dot', [x, y]);
  const t = b.tf.tidy(() => b.tf.sum(b.tf.mul(tensorOf(b, x, 'dot'), tensorOf(b, y, 'dot'))));
  const [v] = await t.data();
  t.dispose();
  return v!;
}
