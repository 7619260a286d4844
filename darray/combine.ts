/**
 * How the partial results of a distributed reduction combine: a mapreduce's with its reduction
 * plan's step (the one every backend folds with), a norm's and a dot's by their own rules.
 */
import { applyStep, planReduce } from '../src/array/ir/reduce-plan.js';
import type { Lambda } from '../src/array/ir/types.js';
import type { Reducer } from '../src/array/protocol.js';
import type { DArray } from './darray.js';

/** The kinds of per-chunk reduction, with what combines the partials. */
export type ReduceSpec =
  | { kind: 'mapreduce'; map: Lambda | null; reducer: Reducer }
  | { kind: 'norm'; p: number }
  | { kind: 'dot'; other: DArray };

/** Combines two partials; undefined stands for an empty chunk. */
export function combineFor(
  spec: ReduceSpec,
): (a: number | undefined, b: number | undefined) => number | undefined {
  const f = ((): ((a: number, b: number) => number) => {
    if (spec.kind === 'dot') return (a, b) => a + b;
    if (spec.kind === 'norm') {
      const p = spec.p;
      if (p === Number.POSITIVE_INFINITY) return Math.max;
      if (p === 1) return (a, b) => a + b;
      if (p === 2) return Math.hypot;
      // Scaled so that partial norms combine without overflow: m·((a/m)^p + (b/m)^p)^(1/p).
      return (a, b) => {
        const m = Math.max(a, b);
        return m === 0 ? 0 : m * ((a / m) ** p + (b / m) ** p) ** (1 / p);
      };
    }
    // A mapreduce's partials combine with its planned step, the one every backend folds with.
    const plan = planReduce(spec.map, spec.reducer, undefined);
    return (a, b) => applyStep(plan, a, b);
  })();
  return (a, b) => (a === undefined ? b : b === undefined ? a : f(a, b));
}
