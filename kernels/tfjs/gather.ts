/**
 * The tfjs gather that circshift and repeat share: the source indices of the index map computed with
 * int32 tensor ops (range, floorDiv, mod) on the device, then one tf.gather.
 */

import type { GPUArray } from '../../gpu/array.js';
import type { IndexMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import type { TfjsBackend } from './backend.js';
import { tensorOf, wrap } from './operands.js';

/** A new GPUArray of the map's result shape gathered from `a` (a tfjs GPUArray or a host array). */
export function gatherTfjs(b: TfjsBackend, a: AnyArray, map: IndexMap, op: string): GPUArray {
  const { tf } = b;
  const size = sizeOf(map.shape);
  const shape = [...(map.resultShape ?? map.shape)];
  const int = (v: number) => tf.scalar(v, 'int32');
  const t = tf.tidy(() => {
    if (size === 0) return tf.zeros(shape, 'float32');
    const flat = tf.reshape(tensorOf(b, a, op), [-1]);
    let rem = tf.range(0, size, 1, 'int32');
    let src = tf.zeros([size], 'int32');
    for (let k = map.shape.length - 1; k >= 0; k--) {
      const n = map.shape[k] as number;
      const m = map.terms[k]!;
      // Plain numbers would turn the indices into float32, which tf.gather refuses.
      const o = tf.mod(rem, int(n));
      rem = tf.floorDiv(rem, int(n));
      const c = tf.mod(tf.add(tf.floorDiv(o, int(m.div)), int(m.shift)), int(m.mod));
      src = tf.add(src, tf.mul(c, int(m.stride)));
    }
    return tf.reshape(tf.gather(flat, src), shape);
  });
  return wrap(b, t);
}
