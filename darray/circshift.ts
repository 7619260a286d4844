/** Distributed circshift: the same layout; each owner fetches the (at most two per axis) source runs it needs. */
import type { AnyArray } from '../src/array/protocol.js';
import { DArray } from './darray.js';
import { sendGather } from './gather.js';
import { firstDArray } from './operands.js';

/** The 'darray' kernel of `circshift` (shifts already in [0, n)). */
export function darrayCircshift(a: AnyArray, shifts: readonly number[]): DArray {
  const A = firstDArray('circshift', [a]);
  const maps = A.shape.map((n, k) => ({
    axis: k,
    div: 1,
    shift: n === 0 ? 0 : (n - (shifts[k] as number)) % n,
    mod: Math.max(n, 1),
  }));
  const region = A.shape.map((n) => [0, n] as [number, number]);
  const id = sendGather(A.layout, A.dtype, [{ src: A, region, maps }], A.chunkBackend);
  return new DArray(id, A.dtype, A.layout, A.chunkBackend);
}
