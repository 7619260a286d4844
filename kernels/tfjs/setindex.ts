/** The tfjs kernel of `setindex`: tf.tensorScatterUpdate over the flat tensor. */
import type { GPUArray } from '../../gpu/array.js';
import { firstElement, scalarOffset, writeElement } from '../../gpu/element.js';
import { flatOffsets, type Indices } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import type { TfjsStorage } from './backend.js';
import { tensorOf, tfjsOf } from './operands.js';

/**
 * setindex as one tf.tensorScatterUpdate over the flat tensor, whose result replaces the array's
 * tensor (tfjs tensors are immutable, as its own write does). Positions are listed on the host.
 */
export async function setindexTfjs(a: AnyArray, v: AnyArray | number, ix: Indices): Promise<void> {
  const b = tfjsOf('setindex', [a]);
  const g = a as GPUArray;
  const off = scalarOffset(g, ix);
  if (off !== undefined) return writeElement(g, off, await firstElement(v));
  const offs = flatOffsets(a.shape, ix);
  if (offs.length === 0) return;
  const st = g.storage as TfjsStorage;
  const next = b.tf.tidy(() => {
    const flat = b.tf.reshape(st.tensor, [g.size]);
    const upd =
      typeof v === 'number'
        ? b.tf.fill([offs.length], v, 'float32')
        : b.tf.reshape(tensorOf(b, v, 'setindex'), [offs.length]);
    const out = b.tf.tensorScatterUpdate(flat, b.tf.tensor2d(offs, [offs.length, 1], 'int32'), upd);
    return b.tf.reshape(out, [...a.shape]);
  });
  st.tensor.dispose();
  st.tensor = next;
}
