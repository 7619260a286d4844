/** The tfjs kernel of `getindex`: tf.gather per indexed dimension. */
import type { GPUArray } from '../../gpu/array.js';
import { readElement, scalarOffset } from '../../gpu/element.js';
import { type Indices, selAt, selLength, selShape } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** getindex as a chain of gathers, one per indexed dimension; one number for all-scalar indices. */
export async function getindexTfjs(a: AnyArray, ix: Indices): Promise<GPUArray | number> {
  const b = tfjsOf('getindex', [a]);
  const off = scalarOffset(a as GPUArray, ix);
  if (off !== undefined) return readElement(a as GPUArray, off);
  const shape = selShape(ix.sels);
  const t = b.tf.tidy(() => {
    let x = tensorOf(b, a, 'getindex');
    if (ix.linear) x = b.tf.reshape(x, [sizeOf(a.shape)]);
    ix.sels.forEach((s, k) => {
      const n = selLength(s);
      const idx = Int32Array.from({ length: n }, (_, j) => selAt(s, j));
      x = b.tf.gather(x, b.tf.tensor1d(idx, 'int32'), k);
    });
    // Scalar dimensions were gathered to length 1; dropping them is a reshape. The clone keeps the
    // result apart from the tidy's tensors.
    return b.tf.reshape(x, shape).clone();
  });
  return wrap(b, t);
}
