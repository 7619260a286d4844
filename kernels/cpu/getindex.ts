/** The CPU kernel of `getindex`: a gather over per-dimension offset tables, whole runs where contiguous. */
import { empty } from '../../src/array/create.js';
import type { TypedArray } from '../../src/array/dtype.js';
import { allScalar, type Indices, selOffsets, selShape } from '../../src/array/indices.js';
import type { NDArray } from '../../src/array/ndarray.js';

/**
 * Visits a selection of a row-major array in result order, calling `run(src, dst, n)` for each
 * stretch of `n` elements that is contiguous in the source (one element, or a step-1 innermost range).
 */
export function forEachRun(
  shape: readonly number[],
  ix: Indices,
  run: (src: number, dst: number, n: number) => void,
): void {
  const { base, tables, shape: out } = selOffsets(shape, ix);
  const nd = tables.length;
  if (nd === 0) {
    run(base, 0, 1);
    return;
  }
  if (out.some((n) => n === 0)) return;
  const last = tables[nd - 1] as Int32Array;
  let unit = last.length > 0;
  for (let j = 1; j < last.length && unit; j++) unit = (last[j] as number) - (last[j - 1] as number) === 1;
  const inner = last.length;
  const outer = out.slice(0, -1).reduce((a, b) => a * b, 1);
  const j = new Array<number>(nd - 1).fill(0);
  let dst = 0;
  for (let o = 0; o < outer; o++) {
    let off = base;
    for (let k = 0; k < nd - 1; k++) off += (tables[k] as Int32Array)[j[k] as number] as number;
    if (unit) run(off + (last[0] as number), dst, inner);
    else for (let i = 0; i < inner; i++) run(off + (last[i] as number), dst + i, 1);
    dst += inner;
    for (let k = nd - 2; k >= 0; k--) {
      j[k] = (j[k] as number) + 1;
      if ((j[k] as number) < (out[k] as number)) break;
      j[k] = 0;
    }
  }
}

/** The CPU kernel of `getindex`: a number for all-scalar indices, else a new NDArray of the same dtype. */
export function getindexCpu(a: NDArray, ix: Indices): NDArray | number {
  if (allScalar(ix.sels)) {
    let off = 0;
    forEachRun(a.shape, ix, (s) => {
      off = s;
    });
    return a.data[off] as number;
  }
  const out = empty(selShape(ix.sels), a.dtype);
  const src = a.data as TypedArray;
  const dst = out.data as TypedArray;
  forEachRun(a.shape, ix, (s, d, n) => {
    if (n === 1) dst[d] = src[s] as number;
    else dst.set(src.subarray(s, s + n), d);
  });
  return out;
}
