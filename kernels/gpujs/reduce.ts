/**
 * gpu.js reductions: a kernel where each thread folds a chunk of the (mapped) input into one
 * partial, then the host folds the few partials in double precision.
 */
import { evalLowered } from '../../src/array/ir/eval.js';
import { MONOIDS, type MonoidOp } from '../../src/array/ir/reduce-plan.js';
import type { Printed } from '../../src/array/ir/shared-nodes.js';
import type { GpujsBackend } from './backend.js';
import { exprToGpujs } from './expr.js';
import { flatten } from './operands.js';

/** A built-in fold: a monoid of the reduce plan, whose step both the kernel and the host use. */
export type Fold = MonoidOp;

const CHUNK = 1024;

/**
 * gpu.js source folding `map` (over p0, p1, … and the number argument `s`) over chunks of `n`:
 * an expression, or one printed with bindings of its shared nodes (exprToGpujs).
 */
export function partialsSource(inputs: number, map: string | Printed, fold: Fold, n: number): string {
  const xs = Array.from({ length: inputs }, (_, i) => `x${i}`);
  const m = typeof map === 'string' ? { decls: '', value: map } : map;
  const loads = (idx: string) => `${xs.map((x, i) => `const p${i} = ${x}[${idx}];`).join(' ')} ${m.decls}`;
  const step = exprToGpujs(MONOIDS[fold].step, ['acc', 'v'], 'ts');
  // The first element of the chunk starts the fold, which avoids Infinity literals for min/max.
  return `function(${[...xs, 's'].join(', ')}) {
  const start = this.thread.x * ${CHUNK};
  let acc = 0.0;
  { ${loads('start')} acc = ${m.value}; }
  for (let j = 1; j < ${CHUNK}; j++) {
    const i = start + j;
    if (i < ${n}) { ${loads('i')} const v = ${m.value}; ${step.decls} acc = ${step.value}; }
  }
  return acc;
}`;
}

/** Folds `map(x0[i], …)` over all i with `fold`; `s` is a number the map may read. */
export function reduceGpujs(
  b: GpujsBackend,
  xs: readonly Float32Array[],
  map: string | Printed,
  fold: Fold,
  s = 0,
): number {
  const n = xs[0]?.length ?? 0;
  const groups = Math.ceil(n / CHUNK);
  const parts = flatten(b.kernel(partialsSource(xs.length, map, fold, n), [groups])(...xs, s), groups);
  const { step } = MONOIDS[fold];
  let acc = parts[0]!;
  for (let i = 1; i < groups; i++) acc = evalLowered(step, [acc, parts[i]!]);
  return acc;
}
