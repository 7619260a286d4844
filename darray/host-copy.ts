/** Copying rectangular regions (boxes) between row-major host arrays, and slicing one out. */
import type { TypedArray } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { type Box, boxShape, boxSize } from './layout.js';

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let k = shape.length - 2; k >= 0; k--) s[k] = (s[k + 1] as number) * (shape[k + 1] as number);
  return s;
}

/**
 * Copies `box` (in `src`'s own index space) of `src` into `dst` at `at` (in `dst`'s index space).
 * The innermost dimension is copied as one run of elements.
 */
export function copyBox(src: NDArray, box: Box, dst: NDArray, at: readonly number[]): void {
  const nd = box.length;
  if (nd === 0) {
    (dst.data as TypedArray)[0] = (src.data as TypedArray)[0] as number;
    return;
  }
  const ss = strides(src.shape);
  const ds = strides(dst.shape);
  const shape = boxShape(box);
  const run = shape[nd - 1] as number;
  const outer = shape.slice(0, -1);
  const count = outer.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(nd - 1).fill(0);
  const srcData = src.data as TypedArray;
  const dstData = dst.data as TypedArray;
  for (let n = 0; n < count; n++) {
    let so = (box[nd - 1] as [number, number])[0];
    let doff = at[nd - 1] as number;
    for (let k = 0; k < nd - 1; k++) {
      so += ((box[k] as [number, number])[0] + (idx[k] as number)) * (ss[k] as number);
      doff += ((at[k] as number) + (idx[k] as number)) * (ds[k] as number);
    }
    dstData.set(srcData.subarray(so, so + run), doff);
    for (let k = nd - 2; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (outer[k] as number)) break;
      idx[k] = 0;
    }
  }
}

/** A new array holding `box` of `src`; a contiguous run of whole rows is returned as a view, not copied. */
export function sliceBox(src: NDArray, box: Box): NDArray {
  const whole = box.every(([lo, hi], k) => k === 0 || (lo === 0 && hi === src.shape[k]));
  if (whole && box.length > 0) {
    const row = src.size / Math.max(1, src.shape[0] as number);
    const [lo, hi] = box[0] as [number, number];
    const data = (src.data as TypedArray).subarray(lo * row, hi * row);
    return new NDArray(data, boxShape(box));
  }
  const Ctor = (src.data as TypedArray).constructor as new (n: number) => TypedArray;
  const out = new NDArray(new Ctor(boxSize(box)), boxShape(box));
  copyBox(
    src,
    box,
    out,
    box.map(() => 0),
  );
  return out;
}
