/**
 * How the partial results of a distributed reduction combine (moved unchanged from chunk-ops.ts;
 * its body is to be replaced by a shared reduction plan).
 */
import { exprToJs } from '../kernels/cpu/expr.js';
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
    const r = spec.reducer;
    if (r === 'sum') return (a, b) => a + b;
    if (r === 'prod') return (a, b) => a * b;
    if (r === 'min') return Math.min;
    if (r === 'max') return Math.max;
    return lambdaFunction(r);
  })();
  return (a, b) => (a === undefined ? b : b === undefined ? a : f(a, b));
}

const compiledReducers = new Map<string, (a: number, b: number) => number>();
/** The reducer lambda as a JS function of two numbers, compiled by the CPU code generator. */
function lambdaFunction(l: Lambda): (a: number, b: number) => number {
  let f = compiledReducers.get(l.source);
  if (!f) {
    f = new Function('p0', 'p1', `"use strict"; return ${exprToJs(l.body)};`) as (
      a: number,
      b: number,
    ) => number;
    compiledReducers.set(l.source, f);
  }
  return f;
}
