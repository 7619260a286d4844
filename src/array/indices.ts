/**
 * Index forms of getindex/setindex/view and their normal form. A user index per dimension is a
 * number, a half-open `[start, stop]` or `[start, stop, step]`, `':'`, or an integer array (an
 * Int32Array or a 1-d int32 NDArray; a plain JS array of two or three numbers is always a range).
 * Each becomes a {@link Selector}: plain data that crosses the wire to DArray owners as it is.
 */
import { ArgumentError, BoundsError, describe } from '../errors.js';
import { NDArray } from './ndarray.js';
import { sizeOf, stridesOf } from './shape.js';

/** One dimension's index as users write it (see the module comment). */
export type Index =
  | number
  | ':'
  | readonly [start: number, stop: number]
  | readonly [start: number, stop: number, step: number]
  | Int32Array
  | NDArray<'int32'>;

/** A normalized index of one dimension: one position (the dimension is dropped), a range, or a list. */
export type Selector =
  | { readonly kind: 'scalar'; readonly i: number }
  | { readonly kind: 'range'; readonly start: number; readonly step: number; readonly len: number }
  | { readonly kind: 'list'; readonly idx: Int32Array };

/**
 * The indices of one call, normalized: one selector per dimension, or a single selector over the
 * elements in row-major order (`linear`, Julia's `A[k]` on an n-d array).
 */
export interface Indices {
  readonly sels: readonly Selector[];
  readonly linear: boolean;
}

const rangeOf = (start: number, step: number, len: number): Selector => ({ kind: 'range', start, step, len });

/** Number of positions a selector picks (1 for a scalar). */
export function selLength(s: Selector): number {
  return s.kind === 'scalar' ? 1 : s.kind === 'range' ? s.len : s.idx.length;
}

/** The j-th position a selector picks. */
export function selAt(s: Selector, j: number): number {
  return s.kind === 'scalar' ? s.i : s.kind === 'range' ? s.start + j * s.step : (s.idx[j] as number);
}

/** The shape an indexing result has: the lengths of the non-scalar selectors. */
export function selShape(sels: readonly Selector[]): number[] {
  return sels.filter((s) => s.kind !== 'scalar').map(selLength);
}

/** Whether every selector picks one position, so the result is one number. */
export const allScalar = (sels: readonly Selector[]): boolean => sels.every((s) => s.kind === 'scalar');

function describeIndex(x: unknown): string {
  if (Array.isArray(x) && x.length <= 4)
    return `[${x.map((v) => (typeof v === 'number' ? String(v) : describe(v))).join(', ')}]`;
  if (x instanceof NDArray) return `${x}`;
  return describe(x);
}

function bounds(op: string, dim: number, index: unknown, i: number, n: number, shape: readonly number[]) {
  const where = dim < 0 ? `linear index over all ${n} elements` : `dimension ${dim}`;
  return new BoundsError(
    `${op}: index ${i}${index === i ? '' : ` (of ${describeIndex(index)})`} is out of bounds in ${where} of an ` +
      `array of shape [${shape.join(', ')}]; valid indices are 0 to ${n - 1}` +
      (n === 0 ? ' (the dimension is empty)' : '') +
      ' (0-based; stop of a range is exclusive)',
    dim,
    index,
    n,
  );
}

/** Normalizes the index of one dimension of extent `n` (`dim` -1 for a linear index), checking bounds. */
export function toSelector(
  op: string,
  x: unknown,
  dim: number,
  n: number,
  shape: readonly number[],
): Selector {
  const check = (i: number) => {
    if (i < 0 || i >= n) throw bounds(op, dim, x, i, n, shape);
  };
  if (typeof x === 'number') {
    if (!Number.isInteger(x))
      throw new ArgumentError(`${op}: an index must be an integer, got ${x} in dimension ${dim}`);
    check(x);
    return { kind: 'scalar', i: x };
  }
  if (x === ':') return rangeOf(0, 1, n);
  if (Array.isArray(x) && (x.length === 2 || x.length === 3)) {
    const [start, stop, step = 1] = x as number[];
    if (![start, stop, step].every(Number.isInteger))
      throw new ArgumentError(
        `${op}: a range is [start, stop] or [start, stop, step] of integers, got ${describeIndex(x)} in dimension ${dim}`,
      );
    if (step === 0) throw new ArgumentError(`${op}: the step of range ${describeIndex(x)} must not be 0`);
    const s = start as number;
    const span = step > 0 ? (stop as number) - s : s - (stop as number);
    const len = Math.max(0, Math.ceil(span / Math.abs(step)));
    if (len > 0) {
      check(s);
      check(s + (len - 1) * step);
    }
    return rangeOf(len > 0 ? s : 0, step, len);
  }
  const list = x instanceof NDArray && x.dtype === 'int32' && x.ndim === 1 ? x.data : x;
  if (list instanceof Int32Array) {
    for (const i of list) check(i);
    return { kind: 'list', idx: list };
  }
  throw new ArgumentError(
    `${op}: expected an index for dimension ${dim}: a number, [start, stop], [start, stop, step], ':' or ` +
      `an integer array (Int32Array or 1-d int32 NDArray), got ${describeIndex(x)}` +
      (Array.isArray(x) ? '; for a list of positions use Int32Array.of(...)' : ''),
  );
}

/**
 * Normalizes the indices of one call on an array of `shape`: one per dimension, or one over all
 * elements (linear). A single number on an n-d array becomes its n-d position.
 */
export function normalize(op: string, shape: readonly number[], idx: readonly unknown[]): Indices {
  if (idx.length === 1 && shape.length !== 1) {
    const size = sizeOf(shape);
    const s = toSelector(op, idx[0], -1, size, shape);
    if (s.kind === 'scalar')
      return { sels: unravel(s.i, shape).map((i) => ({ kind: 'scalar', i })), linear: false };
    return { sels: [s], linear: true };
  }
  if (idx.length !== shape.length)
    throw new ArgumentError(
      `${op}: an array of shape [${shape.join(', ')}] takes ${shape.length} indices (one per dimension) or one ` +
        `linear index, got ${idx.length}`,
    );
  return { sels: idx.map((x, k) => toSelector(op, x, k, shape[k] as number, shape)), linear: false };
}

/** The row-major n-d position of linear index `k`. */
export function unravel(k: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let rem = k;
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    out[d] = rem % n;
    rem = Math.floor(rem / n);
  }
  return out;
}

/** Selector `inner` applied to the positions `outer` picks (a view of a view). */
export function composeSel(outer: Selector, inner: Selector): Selector {
  if (outer.kind === 'scalar') return outer;
  if (inner.kind === 'scalar') return { kind: 'scalar', i: selAt(outer, inner.i) };
  if (outer.kind === 'range' && inner.kind === 'range')
    return rangeOf(outer.start + inner.start * outer.step, outer.step * inner.step, inner.len);
  const n = selLength(inner);
  const idx = new Int32Array(n);
  for (let j = 0; j < n; j++) idx[j] = selAt(outer, selAt(inner, j));
  return { kind: 'list', idx };
}

/**
 * Composes indices on a view (given in the view's own dimensions) with the view's selectors in
 * its parent: the parent's dropped (scalar) dimensions keep their position.
 */
export function composeIndices(parent: readonly Selector[], inner: readonly Selector[]): Selector[] {
  let j = 0;
  return parent.map((p) => (p.kind === 'scalar' ? p : composeSel(p, inner[j++] as Selector)));
}

/**
 * Per-dimension element offsets of a selection in a row-major array of `shape`: `base` plus, for
 * each non-scalar dimension in order, the offset of each position it picks. Element j of the result
 * (row-major over the result shape) is at `base + Σ tables[k][j_k]`. Kernels of every backend use it.
 */
export function selOffsets(
  shape: readonly number[],
  ix: Indices,
): { base: number; tables: Int32Array[]; shape: number[] } {
  const strides = ix.linear ? [1] : stridesOf(shape);
  let base = 0;
  const tables: Int32Array[] = [];
  ix.sels.forEach((s, k) => {
    const st = strides[k] as number;
    if (s.kind === 'scalar') {
      base += s.i * st;
      return;
    }
    const n = selLength(s);
    const t = new Int32Array(n);
    for (let j = 0; j < n; j++) t[j] = selAt(s, j) * st;
    tables.push(t);
  });
  return { base, tables, shape: tables.map((t) => t.length) };
}

/** Every element offset of a selection, in result order (for kernels that take a flat list). */
export function flatOffsets(shape: readonly number[], ix: Indices): Int32Array {
  const { base, tables, shape: out } = selOffsets(shape, ix);
  const total = sizeOf(out);
  const offs = new Int32Array(total);
  const nd = tables.length;
  const j = new Array<number>(nd).fill(0);
  let off = base;
  for (const t of tables) off += t[0] ?? 0;
  for (let e = 0; e < total; e++) {
    offs[e] = off;
    for (let k = nd - 1; k >= 0; k--) {
      const t = tables[k] as Int32Array;
      const jk = (j[k] as number) + 1;
      if (jk < t.length) {
        off += (t[jk] as number) - (t[jk - 1] as number);
        j[k] = jk;
        break;
      }
      off -= (t[jk - 1] as number) - (t[0] as number);
      j[k] = 0;
    }
  }
  return offs;
}

/**
 * The first element offset when a selection is one contiguous increasing run of a row-major array
 * (so a view can share memory), else undefined: leading dimensions pick one position, then one
 * step-1 range, then whole dimensions.
 */
export function contiguousStart(shape: readonly number[], ix: Indices): number | undefined {
  const { sels } = ix;
  const dims = ix.linear ? [sizeOf(shape)] : shape;
  const strides = stridesOf(dims);
  let k = 0;
  let start = 0;
  while (k < sels.length && sels[k]?.kind === 'scalar') {
    start += (sels[k] as { i: number }).i * (strides[k] as number);
    k++;
  }
  if (k === sels.length) return start;
  const s = sels[k] as Selector;
  if (s.kind !== 'range' || (s.step !== 1 && s.len > 1)) return undefined;
  start += s.start * (strides[k] as number);
  for (let d = k + 1; d < sels.length; d++) {
    const t = sels[d] as Selector;
    if (t.kind !== 'range' || t.start !== 0 || t.step !== 1 || t.len !== dims[d]) return undefined;
  }
  return start;
}
