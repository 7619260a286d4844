/** Distributed permutedims: each result owner gathers its box from the source's owners (gather.ts). */
import type { AnyArray } from '../src/array/protocol.js';
import { DArray } from './darray.js';
import { sendGather } from './gather.js';
import { makeLayout } from './layout.js';
import { firstDArray } from './operands.js';

/** The 'darray' kernel of `permutedims`: the result is laid out by default over the same owners. */
export function darrayPermutedims(a: AnyArray, perm: readonly number[]): DArray {
  const A = firstDArray('permutedims', [a]);
  const dims = perm.map((p) => A.shape[p] as number);
  const layout = makeLayout(dims, A.pids);
  const maps = perm.map((p, k) => ({ axis: p, div: 1, shift: 0, mod: Math.max(dims[k] as number, 1) }));
  const id = sendGather(layout, A.dtype, [{ src: A, region: dims.map((n) => [0, n]), maps }], A.chunkBackend);
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}
