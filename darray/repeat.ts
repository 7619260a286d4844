/** Distributed repeat: each result owner fetches the distinct source indices its box repeats. */
import type { AnyArray } from '../src/array/protocol.js';
import { DArray } from './darray.js';
import { sendGather } from './gather.js';
import { makeLayout } from './layout.js';
import { firstDArray } from './operands.js';

/** The 'darray' kernel of `repeat`; the result is laid out by default over the same owners. */
export function darrayRepeat(a: AnyArray, inner: readonly number[], outer: readonly number[]): DArray {
  const A = firstDArray('repeat', [a]);
  const shape = inner.map((_, k) => (A.shape[k] as number | undefined) ?? 1);
  const dims = shape.map((n, k) => n * (inner[k] as number) * (outer[k] as number));
  const maps = shape.map((n, k) => ({
    axis: k < A.ndim ? k : -1,
    div: inner[k] as number,
    shift: 0,
    mod: Math.max(n, 1),
  }));
  const layout = makeLayout(dims, A.pids);
  const region = dims.map((n) => [0, n] as [number, number]);
  const id = sendGather(layout, A.dtype, [{ src: A, region, maps }], A.chunkBackend);
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}
