/**
 * The CPU kernel of `mapreduce` (and so of sum, prod, min, max, reduce): the reduction's plan
 * (src/array/ir/reduce-plan.ts) compiled to one fold loop; GPU backends fold sequential plans
 * on the host with it.
 */

import { emptyResult, planReduce, type ReducePlan } from '../../src/array/ir/reduce-plan.js';
import type { Lambda, Num } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Reducer } from '../../src/array/protocol.js';
import { exprToJs } from './expr.js';

type Fold = (x: ArrayLike<number>, start: number, end: number, acc: number) => number;
type MapFn = (x: number) => number;

/** Source of `(x, start, end, acc) => acc'` folding the mapped `x[i]` into acc with the plan's step. */
export function foldSource(plan: ReducePlan): string {
  const m = plan.map && exprToJs(plan.map, 'p', 'tm');
  const value = m ? `const p0 = x[i]; ${m.decls} const v = ${m.value};` : 'const v = x[i];';
  const s = exprToJs(plan.step, ['acc', 'v'], 'ts');
  return `return function fold(x, start, end, acc) {
  for (let i = start; i < end; i++) { ${value} ${s.decls} acc = ${s.value}; }
  return acc;
};`;
}

const folds = new Map<string, Fold>();
// Keyed by the lowered node, which the lowering pass computes once per lambda.
const maps = new WeakMap<Num, MapFn>();

function cached<K, F>(
  cache: { get(k: K): F | undefined; set(k: K, f: F): unknown },
  key: K,
  source: () => string,
): F {
  let f = cache.get(key);
  if (!f) {
    f = new Function(source())() as F;
    cache.set(key, f);
  }
  return f;
}

/** Runs `plan` over `data` on the host: the reference every backend's result is held to. */
export function foldPlan(plan: ReducePlan, data: ArrayLike<number>): number {
  const n = data.length;
  if (n === 0) return emptyResult(plan);
  const f = cached(folds, plan.key, () => foldSource(plan));
  switch (plan.seed) {
    case 'init':
      return f(data, 0, n, plan.init as number);
    case 'identity':
      return f(data, 0, n, (plan.monoid?.identity ?? 0) as number);
    case 'first': {
      const m = plan.map;
      const first = m
        ? cached(maps, m, () => {
            const { decls, value } = exprToJs(m);
            return `"use strict"; return (p0) => { ${decls} return ${value}; };`;
          })(data[0]!)
        : data[0]!;
      return f(data, 1, n, first);
    }
  }
}

/** The CPU kernel of `mapreduce`. */
export function mapreduceCpu(
  map: Lambda | null,
  reducer: Reducer,
  x: NDArray,
  init: number | undefined,
): number {
  return foldPlan(planReduce(map, reducer, init), x.data);
}
