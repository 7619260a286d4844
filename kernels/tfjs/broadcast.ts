/** The tfjs kernel of `broadcast`: the lambda's IR evaluated as tfjs ops inside one tf.tidy. */

import { GPUArray } from '../../gpu/array.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { Operand, OutSpec } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import type { TfjsStorage } from './backend.js';
import { evalTf } from './expr.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** Elementwise `lambda` over tensors broadcast to `out.shape`; a new GPUArray, or `out.into` updated. */
export function broadcastTfjs(lambda: Lambda, args: readonly Operand[], out: OutSpec): GPUArray {
  const b = tfjsOf('broadcast', [out.into, ...args]);
  const { tf } = b;
  const t = tf.tidy(() => {
    const params = args.map((a) => tensorOf(b, a, 'broadcast'));
    const r = evalTf(tf, lowerLambda(lambda), params);
    return tf.broadcastTo(tf.cast(r, 'float32'), [...out.shape]).clone();
  });
  if (!out.into) return wrap(b, t);
  if (!(out.into instanceof GPUArray) || out.into.backend !== 'tfjs') {
    t.dispose();
    throw new ArgumentError("broadcastInto (tfjs): out must be a GPUArray on 'tfjs'; gpu() it first");
  }
  // Tensors are immutable: the array takes the new tensor and frees its old one.
  const st = out.into.storage as TfjsStorage;
  st.tensor.dispose();
  st.tensor = t;
  return out.into;
}
