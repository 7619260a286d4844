/**
 * Distributed cat: each source fills its slab of the result; each result owner fetches from the
 * sources only the parts its box overlaps (gather.ts). Host arrays among the inputs are distributed
 * over the first DArray's owners first.
 */
import type { DType } from '../src/array/dtype.js';
import type { AnyArray } from '../src/array/protocol.js';
import { DArray } from './darray.js';
import { type GatherPiece, sendGather, whenBuilt } from './gather.js';
import { type Box, makeLayout } from './layout.js';
import { asDArray, firstDArray } from './operands.js';

/** The 'darray' kernel of `cat`; the result is laid out by default over the first DArray's owners. */
export async function darrayCat(
  arrays: readonly AnyArray[],
  dim: number,
  out: { shape: readonly number[]; dtype: DType },
): Promise<DArray> {
  const like = firstDArray('cat', arrays);
  const made: DArray[] = [];
  const sources = await Promise.all(
    arrays.map(async (a) => {
      const d = await asDArray('cat', a, like);
      if (d !== a) made.push(d);
      return d;
    }),
  );
  const pieces: GatherPiece[] = [];
  let start = 0;
  for (const src of sources) {
    const len = (src.shape[dim] as number | undefined) ?? 1;
    const region: Box = out.shape.map((n, k) => (k === dim ? [start, start + len] : [0, n]));
    const maps = out.shape.map((n, k) => ({
      axis: k < src.ndim ? k : -1,
      div: 1,
      shift: k === dim && len > 0 ? (len - (start % len)) % len : 0,
      mod: Math.max(k === dim ? len : n, 1),
    }));
    if (len > 0) pieces.push({ src, region, maps });
    start += len;
  }
  const layout = makeLayout(out.shape, like.pids);
  const id = sendGather(layout, out.dtype, pieces, like.chunkBackend);
  const result = new DArray(id, out.dtype, layout, like.chunkBackend);
  // Distributed copies of host inputs are freed only once every result chunk has read them.
  if (made.length > 0) {
    await whenBuilt(result);
    for (const d of made) d.close();
  }
  return result;
}
