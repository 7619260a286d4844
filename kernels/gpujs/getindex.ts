/** The gpu.js kernel of `getindex`: a gather kernel over a list of offsets. */
import type { GPUArray } from '../../gpu/array.js';
import { readElement, scalarOffset } from '../../gpu/element.js';
import { flatOffsets, type Indices, selShape } from '../../src/array/indices.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/**
 * getindex: out[i] = a[off[i]] in a gpu.js kernel; the offsets are listed on the host (index
 * work only, the elements are not touched there). One number for all-scalar indices.
 */
export async function getindexGpujs(a: AnyArray, ix: Indices): Promise<GPUArray | number> {
  const b = gpujsOf('getindex', [a]);
  const off = scalarOffset(a as GPUArray, ix);
  if (off !== undefined) return readElement(a as GPUArray, off);
  const shape = selShape(ix.sels);
  const offs = flatOffsets(a.shape, ix);
  if (offs.length === 0) return wrap(b, new Float32Array(0), shape);
  // gpu.js fixes argument sizes per compiled kernel: the source names the input's size (as a
  // clamp that never binds, the offsets being checked), so each input size gets its own kernel.
  const k = b.kernel(
    `function(a, off) { return a[Math.min(off[this.thread.x], ${Math.max(0, a.shape.reduce((x, y) => x * y, 1) - 1)})]; }`,
    [offs.length],
  );
  // Offsets go in as float32, exact below 2^24 elements, which is the most a gpu.js texture holds.
  return wrap(b, flatten(k(dataOf(a, 'getindex'), Float32Array.from(offs)), offs.length), shape);
}
