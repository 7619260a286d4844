/**
 * Reductions along dimensions (`sum(A, { dims })` and the rest): checking `dims`, the result's
 * shape (reduced dimensions kept with length 1, as Julia keeps them), and the plan every backend
 * carries out, as a list of passes that each fold one contiguous run of axes. The kernels
 * `reduceDims` and `findExtrema` are declared here and added to the protocol.
 */
import { ArgumentError, describe } from '../errors.js';
import type { ReducePlan } from './ir/reduce-plan.js';
import type { Lambda, Num } from './ir/types.js';
import type { AnyArray, Awaitable, Reducer } from './protocol.js';

declare module './protocol.js' {
  interface OpKernels {
    /**
     * Folds `map(x[…])` with `reducer` along the axes `dims` (sorted, distinct, in range), from
     * `init` when given. The result has x's shape with each of `dims` of length 1, and x's dtype.
     */
    reduceDims(
      map: Lambda | null,
      reducer: Reducer,
      x: AnyArray,
      dims: readonly number[],
      init: number | undefined,
    ): Awaitable<AnyArray>;
    /**
     * The largest (`which` 'max') or smallest element along `dims` (sorted, distinct, in range,
     * over a non-empty extent), NaN counting as the extreme, the first on ties, and its 0-based
     * linear index into x: two arrays of x's shape with each of `dims` of length 1.
     */
    findExtrema(x: AnyArray, dims: readonly number[], which: 'max' | 'min'): Awaitable<[AnyArray, AnyArray]>;
  }
}

/** The axes a reduction runs along: one 0-based axis (as in NumPy) or several. */
export type Dims = number | readonly number[];

/**
 * `dims` checked against an array of `ndim` dimensions: sorted and distinct, each in [0, ndim).
 * A negative axis is an error (not counted from the end), so that it cannot be mistaken.
 */
export function checkDims(op: string, ndim: number, dims: unknown): number[] {
  const list = typeof dims === 'number' ? [dims] : dims;
  if (!Array.isArray(list) || list.length === 0)
    throw new ArgumentError(
      `${op}: dims must be an axis number or a non-empty array of axes (0-based), got ${describe(dims)}`,
    );
  for (const d of list)
    if (!Number.isInteger(d) || d < 0 || d >= ndim)
      throw new ArgumentError(
        `${op}: dims ${JSON.stringify(list)} has axis ${typeof d === 'number' ? d : describe(d)} out of range; an array of ${ndim} dimensions has axes 0 to ${ndim - 1}`,
      );
  const sorted = [...(list as number[])].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i] === sorted[i - 1])
      throw new ArgumentError(
        `${op}: dims ${JSON.stringify(list)} names axis ${sorted[i]} twice; list each axis once`,
      );
  return sorted;
}

/** The shape of a reduction's result: `shape` with each axis of `dims` of length 1. */
export function reducedShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((n, k) => (dims.includes(k) ? 1 : n));
}

/** How many elements fold into each result element. */
export function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((s, d) => s * (shape[d] as number), 1);
}

/**
 * One fold along a contiguous run of axes, with the array seen as [outer, len, inner]: result
 * element (o, i) folds the `len` elements x[o, k, i] in order of k.
 */
export interface AxisPass {
  readonly outer: number;
  readonly len: number;
  readonly inner: number;
  /** The result's shape after this pass. */
  readonly shape: readonly number[];
  /** What each element becomes first (the plan's map on the first pass only). */
  readonly map: Num | null;
  readonly step: Num;
  readonly seed: 'init' | 'identity' | 'first';
  readonly init: number | undefined;
  /** The value a seed of 'identity' starts from. */
  readonly identity: number;
}

/** An array of `shape` seen as [outer, len, inner] around the contiguous run of axes `run`. */
export function runExtents(
  shape: readonly number[],
  run: readonly number[],
): { outer: number; len: number; inner: number } {
  const first = run[0] as number;
  const last = run[run.length - 1] as number;
  return {
    outer: shape.slice(0, first).reduce((s, n) => s * n, 1),
    len: run.reduce((s, d) => s * (shape[d] as number), 1),
    inner: shape.slice(last + 1).reduce((s, n) => s * n, 1),
  };
}

/** The maximal runs of consecutive axes in sorted `dims`: [0, 1, 3] gives [[0, 1], [3]]. */
export function axisRuns(dims: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const d of dims) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === d - 1) last.push(d);
    else runs.push([d]);
  }
  return runs;
}

/**
 * The passes that carry out `plan` along sorted `dims` of an array of `shape`, or undefined when
 * the plan is an order-dependent lambda over axes that are not one contiguous run (those kernels
 * fold each result element's elements in row-major order instead). An associative plan folds one
 * run per pass; its init, if any, enters once, on the last pass.
 */
export function axisPasses(
  plan: ReducePlan,
  shape: readonly number[],
  dims: readonly number[],
): AxisPass[] | undefined {
  const runs = axisRuns(dims);
  if (runs.length > 1 && !plan.monoid) return undefined;
  const identity = plan.monoid?.identity ?? 0;
  let cur = [...shape];
  return runs.map((run, r) => {
    const { outer, len, inner } = runExtents(cur, run);
    cur = reducedShape(cur, run);
    const only = runs.length === 1;
    const isLast = r === runs.length - 1;
    return {
      outer,
      len,
      inner,
      shape: cur,
      map: r === 0 ? plan.map : null,
      step: plan.step,
      seed: only ? plan.seed : isLast && plan.init !== undefined ? 'init' : 'identity',
      init: only || isLast ? plan.init : undefined,
      identity,
    };
  });
}

/** The row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= shape[k] as number;
  }
  return s;
}
