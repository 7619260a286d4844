/** The CPU kernel of `cat`: each input copied as runs of its rows into its slab of the result. */
import { empty } from '../../src/array/create.js';
import type { DType } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { sizeOf } from '../../src/array/shape.js';

/** `arrays` joined along `dim` into a new array of out.shape (each input padded with trailing 1s). */
export function catCpu(
  arrays: readonly NDArray[],
  dim: number,
  out: { shape: readonly number[]; dtype: DType },
): NDArray {
  const res = empty(out.shape, out.dtype);
  // Row-major: above `dim` the result is `outer` blocks; each input contributes `len·inner` elements per block.
  const outer = sizeOf(out.shape.slice(0, dim));
  const inner = sizeOf(out.shape.slice(dim + 1));
  const total = (out.shape[dim] as number) * inner;
  let at = 0;
  for (const a of arrays) {
    const run = a.size / Math.max(outer, 1);
    for (let b = 0; b < outer; b++) {
      const src = a.data.subarray(b * run, (b + 1) * run);
      if (res.dtype === a.dtype) res.data.set(src as never, b * total + at);
      else for (let i = 0; i < run; i++) res.data[b * total + at + i] = src[i] as number;
    }
    at += run;
  }
  return res;
}
