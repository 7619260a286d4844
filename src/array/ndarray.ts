/** NDArray: the host array, a contiguous row-major TypedArray plus a shape. */
import { ArgumentError, describe } from '../errors.js';
import { type DType, dtypeOfData, type TypedArray, type TypedArrayFor } from './dtype.js';
import { sizeOf, stridesOf } from './shape.js';
import { freeData } from './storage.js';

/**
 * A dense row-major array on the host (the CPU backend's array type).
 *
 * `data` is the exact storage: `data.length === size`, element `(i, j)` of a matrix is
 * `data[i * shape[1] + j]`. It may be a view into a larger buffer (see {@link NDArray.rows}).
 *
 * @example
 * const A = new NDArray(new Float64Array([1, 2, 3, 4]), [2, 2]);
 * A.get(1, 0); // 3
 */
export class NDArray<D extends DType = DType> {
  /** The backend name the op registry dispatches on; NDArray is always 'cpu'. */
  readonly backend = 'cpu';
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: TypedArrayFor[D];
  readonly size: number;
  /** The array this one is a view of, kept so the shared storage outlives the view. */
  readonly base: NDArray | undefined;
  // Set once a view of this array exists; dispose() then leaves the storage to the GC.
  private viewed = false;

  /** Wraps `data` (not copied) with `shape`; the dtype comes from the TypedArray's type. */
  constructor(data: TypedArrayFor[D], shape: readonly number[] = [data.length], base?: NDArray) {
    const dtype = dtypeOfData(data);
    if (!dtype)
      throw new ArgumentError(
        `NDArray: expected a Float64Array, Float32Array, Int32Array or Uint8Array, got ${describe(data)}`,
      );
    const size = sizeOf(shape);
    if (size !== data.length)
      throw new ArgumentError(
        `NDArray: shape [${shape.join(', ')}] has ${size} elements but the data has ${data.length}`,
      );
    this.dtype = dtype as D;
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.base = base;
  }

  /** Builds an NDArray from its wire form (dtype, shape, data), checking they agree. */
  static fromData<D extends DType>(data: TypedArrayFor[D], shape: readonly number[]): NDArray<D> {
    return new NDArray(data, shape);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  private offset(idx: readonly number[]): number {
    if (idx.length !== this.shape.length)
      throw new ArgumentError(`NDArray: expected ${this.shape.length} indices, got ${idx.length}`);
    let off = 0;
    const strides = stridesOf(this.shape);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const d = this.shape[k]!;
      if (!Number.isInteger(i) || i < 0 || i >= d)
        throw new ArgumentError(`NDArray: index ${i} out of range 0..${d - 1} in dimension ${k}`);
      off += i * strides[k]!;
    }
    return off;
  }

  /** The element at a 0-based index, one integer per dimension. */
  get(...idx: number[]): number {
    return this.data[this.offset(idx)]!;
  }

  /** Sets the element at a 0-based index. */
  set(value: number, ...idx: number[]): void {
    this.data[this.offset(idx)] = value;
  }

  /**
   * A view (no copy) of the rows `start` to `end` (exclusive) along the first dimension; writes
   * through the view change this array.
   */
  rows(start: number, end: number = this.shape[0] ?? 0): NDArray<D> {
    const n = this.shape[0];
    if (n === undefined) throw new ArgumentError('NDArray.rows: a 0-d array has no rows');
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end)
      throw new ArgumentError(`NDArray.rows: expected 0 <= start <= end <= ${n}, got ${start}, ${end}`);
    const inner = this.size / n || sizeOf(this.shape.slice(1));
    const data = this.data.subarray(start * inner, end * inner) as TypedArrayFor[D];
    this.markViewed();
    return new NDArray(data, [end - start, ...this.shape.slice(1)], this.base ?? (this as NDArray));
  }

  /** The same data with another shape of the same size (no copy). */
  reshape(shape: readonly number[]): NDArray<D> {
    this.markViewed();
    return new NDArray(this.data, shape, this.base ?? (this as NDArray));
  }

  private markViewed(): void {
    this.viewed = true;
    if (this.base) this.base.viewed = true;
  }

  /**
   * Returns large storage (arrays in the shared WASM heap) to the allocator now instead of when the
   * GC collects the array; the array must not be used afterwards. Does nothing for small arrays,
   * views, or arrays that have views. Generic algorithms call it on their temporaries.
   */
  dispose(): void {
    if (!this.base && !this.viewed) freeData(this.data);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The elements as nested JS arrays (a number for a 0-d array). */
  toArray(): unknown {
    const rec = (k: number, off: number): unknown => {
      if (k === this.shape.length) return this.data[off];
      const step = sizeOf(this.shape.slice(k + 1));
      return Array.from({ length: this.shape[k]! }, (_, i) => rec(k + 1, off + i * step));
    };
    return rec(0, 0);
  }

  toString(): string {
    return `NDArray<${this.dtype}>[${this.shape.join('×')}]`;
  }
}

/** Whether a value is an NDArray. */
export function isNDArray(x: unknown): x is NDArray {
  return x instanceof NDArray;
}

/** The TypedArray type of any NDArray's data. */
export type NDArrayData = TypedArray;
