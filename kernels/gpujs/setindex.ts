/** The gpu.js kernel of `setindex`: a scatter into the array's float32 storage. */
import type { GPUArray } from '../../gpu/array.js';
import { firstElement, scalarOffset, writeElement } from '../../gpu/element.js';
import { flatOffsets, type Indices } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import type { GpujsStorage } from './backend.js';
import { dataOf, gpujsOf } from './operands.js';

/**
 * setindex: gpu.js keeps an array between kernels as host float32 data (its storage), and a kernel
 * can only write a whole new output, so the scatter writes the selected elements of that storage
 * in place on the host instead of running a kernel over every element.
 */
export async function setindexGpujs(a: AnyArray, v: AnyArray | number, ix: Indices): Promise<void> {
  gpujsOf('setindex', [a]);
  const g = a as GPUArray;
  const off = scalarOffset(g, ix);
  if (off !== undefined) return writeElement(g, off, await firstElement(v));
  const offs = flatOffsets(a.shape, ix);
  const dst = (g.storage as GpujsStorage).data;
  if (typeof v === 'number') for (const o of offs) dst[o] = v;
  else {
    const src = Float32Array.from(dataOf(v, 'setindex'));
    offs.forEach((o, e) => {
      dst[o] = src[e] as number;
    });
  }
}
