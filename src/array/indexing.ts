/**
 * getindex, setindex and view (Julia's `A[i, j]`, `A[i, j] = v`, `view(A, i, j)`) on every array
 * type. The indices are checked and normalized here (indices.ts), then the kernel of the array's
 * backend runs: a gather or scatter on the host, on the device, or on the DArray's owners.
 */
import { ArgumentError, describe } from '../errors.js';
import { allScalar, contiguousStart, type Index, type Indices, normalize, selShape } from './indices.js';
import { NDArray } from './ndarray.js';
import { collect } from './ops.js';
import type { AnyArray, Awaitable, Same } from './protocol.js';
import { getKernel, isArrayLike } from './registry.js';
import { sizeOf } from './shape.js';
import { SubArray } from './subarray.js';

declare module './protocol.js' {
  interface OpKernels {
    /**
     * The elements `ix` selects: one number when every selector is a scalar, else a new array of
     * shape `selShape(ix.sels)` on the kernel's backend (same dtype).
     */
    getindex(a: AnyArray, ix: Indices): Awaitable<AnyArray | number>;
    /**
     * Writes `v` (a number, or an array of the selection's shape on the kernel's backend or the
     * host; a DArray kernel also takes GPU arrays and DArrays) over the elements `ix` selects, in place.
     */
    setindex(a: AnyArray, v: AnyArray | number, ix: Indices): Awaitable<void>;
  }
}

function checkArray(op: string, a: unknown): AnyArray {
  if (!isArrayLike(a))
    throw new ArgumentError(`${op}: the first argument must be an array, got ${describe(a)}`);
  return a;
}

/**
 * Reads elements: with one integer per dimension (or one linear index) the element as a number;
 * otherwise a new array of the same kind (NDArray → NDArray, GPUArray → GPUArray on the same
 * backend, DArray → DArray over the workers that held the data). An index is a number (the
 * dimension is dropped), a half-open `[start, stop]` or `[start, stop, step]` (step may be
 * negative: `[4, -1, -1]` is 4, 3, 2, 1, 0), `':'` for all, or an integer array (Int32Array).
 * One index on an n-d array counts elements in row-major order (Julia's linear indexing).
 * Reading one number from a GPU or distributed array is allowed without allowScalar: the call asks
 * for a number, so it is not a hidden slow path; it costs one transfer or round trip.
 *
 * @example
 * await getindex(A, 2, 3);              // A[3, 4] in Julia: a number
 * await getindex(A, [0, 10], ':');      // rows 0..9
 * await getindex(A, ':', [9, -1, -1]);  // columns reversed
 * await getindex(A, Int32Array.of(4, 0, 2), 1);
 */
export async function getindex(a: AnyArray, ...idx: number[]): Promise<number>;
export async function getindex<A extends AnyArray>(a: A, ...idx: Index[]): Promise<Same<A>>;
export async function getindex(a: AnyArray, ...idx: Index[]): Promise<AnyArray | number> {
  checkArray('getindex', a);
  const ix = normalize('getindex', a.shape, idx);
  return getKernel('getindex', a.backend)(a, ix);
}

/**
 * Writes `v` over the selected elements of `a`, in place: `v` is a number (filled in) or an array
 * of the selection's shape (dimensions of length 1 aside; a vector needs only as many elements) of any kind; a value on another backend
 * is collected to the host first, except for a DArray target, whose owners fetch their parts of a
 * DArray value from its owners. Indices as for {@link getindex}. Resolves when written.
 *
 * @example
 * await setindex(A, 0, [0, 2], ':');        // A[1:2, :] .= 0
 * await setindex(A, B, ':', 3);             // A[:, 4] = B
 */
export async function setindex(a: AnyArray, v: AnyArray | number, ...idx: Index[]): Promise<void> {
  checkArray('setindex', a);
  const ix = normalize('setindex', a.shape, idx);
  let value: AnyArray | number;
  if (typeof v === 'number') value = v;
  else {
    if (!isArrayLike(v))
      throw new ArgumentError(`setindex: the value must be a number or an array, got ${describe(v)}`);
    const want = selShape(ix.sels);
    const squeeze = (s: readonly number[]) => s.filter((n) => n !== 1);
    const ws = squeeze(want);
    const vs = squeeze(v.shape);
    // As Julia's setindex_shape_check: a vector, or a value for one (linear) index, needs only as
    // many elements; otherwise the shapes must agree once dimensions of length 1 are left out.
    const byLength = v.shape.length === 1 || idx.length === 1;
    const fits = byLength
      ? sizeOf(v.shape) === sizeOf(want)
      : ws.length === vs.length && ws.every((n, k) => n === vs[k]);
    if (!fits)
      throw new ArgumentError(
        `setindex: the value has shape [${v.shape.join(', ')}] but the indices select shape [${want.join(', ')}]; ` +
          'pass an array of that shape (or a vector of as many elements) or a number',
      );
    const keep = v.backend === a.backend || v.backend === 'cpu' || a.backend === 'darray';
    value = keep ? v : await collect(v);
    // Writing an array into itself reads from a copy, so no element is read after it was overwritten.
    if (value === a) value = await getindex(a, ...a.shape.map((): Index => ':'));
  }
  await getKernel('setindex', a.backend)(a, value, ix);
}

/**
 * A view of the selected elements that shares the data of `a`: an NDArray over the same memory
 * when the selection is one contiguous run (leading single positions, one step-1 range, then whole
 * dimensions); otherwise a {@link SubArray}, which copies nothing: getindex/setindex/collect on it
 * go to `a` (to the device for a GPUArray, to the owners for a DArray). A GPUArray view is always
 * a SubArray, as GPU storages here carry no offset. Indices as for {@link getindex}.
 *
 * @example
 * const row = await view(A, 3, ':');          // NDArray sharing A's memory
 * const col = await view(dA, ':', 0);         // SubArray of a DArray; no data moves
 * await setindex(col, 0, ':');                // writes on the owners
 */
export async function view(a: AnyArray, ...idx: Index[]): Promise<AnyArray> {
  checkArray('view', a);
  const ix = normalize('view', a.shape, idx);
  if (a instanceof NDArray) {
    const start = contiguousStart(a.shape, ix);
    if (start !== undefined) {
      const shape = allScalar(ix.sels) ? [] : selShape(ix.sels);
      const data = a.data.subarray(start, start + sizeOf(shape));
      // reshape() marks `a` as viewed, so its dispose() leaves the shared storage to the GC.
      a.reshape(a.shape);
      return new NDArray(data, shape, a.base ?? a);
    }
  }
  if (a instanceof SubArray) return a.subview(ix);
  return new SubArray(a, ix);
}
