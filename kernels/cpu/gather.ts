/** The CPU gather that the shape kernels share: one pass over the result, reading through an index map. */
import { empty } from '../../src/array/create.js';
import type { DType } from '../../src/array/dtype.js';
import type { IndexMap } from '../../src/array/index-map.js';
import type { NDArray } from '../../src/array/ndarray.js';

/** A new array of `map`'s result shape whose element at o is `src.data[sourceIndex(map, o)]`. */
export function gatherCpu(src: NDArray, map: IndexMap, dtype: DType = src.dtype): NDArray {
  const out = empty(map.resultShape ?? map.shape, dtype);
  const nd = map.shape.length;
  const size = out.size;
  if (size === 0) return out;
  const dst = out.data;
  const s = src.data;
  // Odometer over the result coordinates, keeping each dimension's source term up to date.
  const o = new Array<number>(nd).fill(0);
  const part = map.terms.map((t) => (t.shift % t.mod) * t.stride);
  let base = part.reduce((a, b) => a + b, 0);
  for (let i = 0; i < size; i++) {
    dst[i] = s[base] as number;
    for (let k = nd - 1; k >= 0; k--) {
      const t = map.terms[k]!;
      const next = (o[k] as number) + 1;
      const idx = next < (map.shape[k] as number) ? next : 0;
      o[k] = idx;
      const term = ((Math.floor(idx / t.div) + t.shift) % t.mod) * t.stride;
      base += term - (part[k] as number);
      part[k] = term;
      if (idx !== 0) break;
    }
  }
  return out;
}
