/** The CPU kernel of `mapreduce` (and so of sum, prod, min, max, reduce): one generated fold loop. */

import type { Lambda } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Reducer } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import { exprToJs } from './expr.js';

/** Neutral starting values of the built-in reducers. */
export const NEUTRAL = { sum: 0, prod: 1, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };

// min and max propagate NaN, as Julia's and NumPy's do.
const STEP: Record<Exclude<Reducer, Lambda>, string> = {
  sum: 'acc += v;',
  prod: 'acc *= v;',
  min: 'if (v < acc || v !== v) acc = v;',
  max: 'if (v > acc || v !== v) acc = v;',
};

type Fold = (x: ArrayLike<number>, start: number, end: number, acc: number) => number;
const folds = new Map<string, Fold>();

/** Source of `(x, start, end, acc) => acc'` folding `map(x[i])` into acc with `reducer`. */
export function foldSource(map: Lambda | null, reducer: Reducer): string {
  const value = map ? `const p0 = x[i]; const v = ${exprToJs(map.body)};` : 'const v = x[i];';
  const step =
    typeof reducer === 'string'
      ? STEP[reducer]
      : `const r0 = acc; const r1 = v; acc = ${exprToJs(reducer.body, 'r')};`;
  return `return function fold(x, start, end, acc) {
  for (let i = start; i < end; i++) { ${value} ${step} }
  return acc;
};`;
}

function fold(map: Lambda | null, reducer: Reducer): Fold {
  const k = `${map?.source ?? ''}\u0000${typeof reducer === 'string' ? reducer : reducer.source}`;
  let f = folds.get(k);
  if (!f) {
    f = new Function(foldSource(map, reducer))() as Fold;
    folds.set(k, f);
  }
  return f;
}

/** The CPU kernel of `mapreduce`. Without `init`, a lambda reducer starts from the first mapped element. */
export function mapreduceCpu(
  map: Lambda | null,
  reducer: Reducer,
  x: NDArray,
  init: number | undefined,
): number {
  const data = x.data;
  const f = fold(map, reducer);
  if (init !== undefined) return f(data, 0, data.length, init);
  if (typeof reducer === 'string') {
    if (data.length === 0 && (reducer === 'min' || reducer === 'max'))
      throw new ArgumentError(`${reducer}: the array is empty; pass init for a starting value`);
    return f(data, 0, data.length, NEUTRAL[reducer]);
  }
  if (data.length === 0)
    throw new ArgumentError('reduce: the array is empty; pass init for a starting value');
  const first = map ? fold(map, 'sum')(data, 0, 1, 0) : data[0]!;
  return f(data, 1, data.length, first);
}
