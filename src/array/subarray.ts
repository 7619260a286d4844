/**
 * SubArray: a view that copies nothing (Julia's SubArray; for a DArray parent, DistributedArrays'
 * SubDArray). It holds its parent and the parent's selectors; getindex, setindex and collect on it
 * compose indices and run the parent's kernels, so reads and writes reach the parent's memory, its
 * device or its owners. Other ops need a copy first: `getindex(v, ':', …)` gives one of the parent's kind.
 */
import { ArgumentError } from '../errors.js';
import { ctorOf } from './dtype.js';
import { composeIndices, type Indices, type Selector, selShape } from './indices.js';
import { NDArray } from './ndarray.js';
import type { AnyArray, OpKernels } from './protocol.js';
import { release } from './protocol.js';
import { getKernel } from './registry.js';

/**
 * A view of `parent` (from `view`) that shares its data. Its backend is 'subarray': getindex,
 * setindex and collect take it; for any other op copy it with `getindex(v, ':', …)` (a DArray for a
 * DArray parent, a GPUArray for a GPUArray parent).
 *
 * @example
 * const col = await view(dA, ':', 2);   // no data moves
 * await getindex(col, [0, 5]);           // reads from the owners of rows 0..4
 */
export class SubArray<P extends AnyArray = AnyArray> implements AnyArray {
  readonly backend = 'subarray';
  readonly dtype: P['dtype'];
  readonly shape: readonly number[];

  /** @internal Use view(). */
  constructor(
    /** The array whose data this view shows. */
    readonly parent: P,
    /** The view's selectors in the parent's dimensions (or one linear selector). */
    readonly indices: Indices,
  ) {
    this.dtype = parent.dtype;
    this.shape = Object.freeze(selShape(indices.sels));
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** A view of this view, as one view of the parent. */
  subview(ix: Indices): SubArray<P> {
    if (ix.linear && this.ndim !== 1 && !wholeLinear(ix, this.size)) throw linearError('view');
    return new SubArray(this.parent, this.compose(ix));
  }

  /**
   * The parent's indices of `ix`, given in this view's dimensions. A linear `':'` over the view
   * (Julia's `Q[:] = …`) is every position of every dimension.
   */
  compose(ix: Indices): Indices {
    const sels = wholeLinear(ix, this.size) ? this.shape.map(all) : ix.sels;
    return { sels: composeIndices(this.indices.sels, sels), linear: this.indices.linear };
  }

  toString(): string {
    return `SubArray[${this.shape.join('×')}] of ${String(this.parent)}`;
  }
}

const all = (n: number): Selector => ({ kind: 'range', start: 0, step: 1, len: n });

/** Whether `ix` is one linear index over all `size` elements in order. */
function wholeLinear(ix: Indices, size: number): boolean {
  const s = ix.sels[0];
  return ix.linear && s?.kind === 'range' && s.start === 0 && s.step === 1 && s.len === size;
}

const linearError = (op: string) =>
  new ArgumentError(
    `${op}: a linear index range over a multi-dimensional view has no form in its parent; index the view ` +
      'per dimension, or copy it first with getindex(v, ...dims.map(() => ":"))',
  );

async function getSub(a: AnyArray, ix: Indices): Promise<AnyArray | number> {
  const v = a as SubArray;
  if (ix.linear && v.ndim !== 1) {
    const copy = (await getKernel('getindex', v.parent.backend)(v.parent, v.indices)) as AnyArray;
    try {
      return await getKernel('getindex', copy.backend)(copy, ix);
    } finally {
      release(copy);
    }
  }
  return getKernel('getindex', v.parent.backend)(v.parent, v.compose(ix));
}

async function setSub(a: AnyArray, value: AnyArray | number, ix: Indices): Promise<void> {
  const v = a as SubArray;
  if (ix.linear && v.ndim !== 1 && !wholeLinear(ix, v.size)) throw linearError('setindex');
  await getKernel('setindex', v.parent.backend)(v.parent, value, v.compose(ix));
}

async function collectSub(a: AnyArray): Promise<NDArray> {
  const v = a as SubArray;
  const got = await getKernel('getindex', v.parent.backend)(v.parent, v.indices);
  if (typeof got === 'number') {
    const out = new NDArray(new (ctorOf(v.parent.dtype))(1), []);
    out.data[0] = got;
    return out;
  }
  try {
    return got instanceof NDArray ? got : await getKernel('collect', got.backend)(got);
  } finally {
    if (!(got instanceof NDArray)) release(got);
  }
}

/** The kernels of backend 'subarray'; the entry registers them. */
export const subarrayKernels: Pick<OpKernels, 'getindex' | 'setindex' | 'collect'> = {
  getindex: getSub,
  setindex: setSub,
  collect: collectSub,
};
