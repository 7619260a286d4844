/** The CPU kernel of `setindex`: a scatter into the NDArray's own memory. */
import type { TypedArray } from '../../src/array/dtype.js';
import type { Indices } from '../../src/array/indices.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { forEachRun } from './getindex.js';

/**
 * Writes `v` (a number, or a host array with the selection's elements in row-major order) over the
 * selected elements of `a`. A value sharing memory with `a` (a view of it) is copied first, so an
 * overlapping write reads the old values, as Julia's unaliasing does.
 */
export function setindexCpu(a: NDArray, v: AnyArray | number, ix: Indices): void {
  const dst = a.data as TypedArray;
  if (typeof v === 'number') {
    forEachRun(a.shape, ix, (s, _d, n) => {
      if (n === 1) dst[s] = v;
      else dst.fill(v, s, s + n);
    });
    return;
  }
  if (!(v instanceof NDArray))
    throw new TypeError(`setindex (cpu): the value must be a host array here, got one on '${v.backend}'`);
  let src = v.data as TypedArray;
  if (overlaps(src, dst)) src = src.slice();
  forEachRun(a.shape, ix, (s, d, n) => {
    if (n === 1) dst[s] = src[d] as number;
    else dst.set(src.subarray(d, d + n), s);
  });
}

/** Whether two TypedArrays share bytes (large arrays share the one WASM heap, so compare ranges). */
function overlaps(x: TypedArray, y: TypedArray): boolean {
  return (
    x.buffer === y.buffer &&
    x.byteOffset < y.byteOffset + y.byteLength &&
    y.byteOffset < x.byteOffset + x.byteLength
  );
}
