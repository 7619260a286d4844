/**
 * The CPU kernel of `reduceDims` (sum, prod, min, max, mapreduce and reduce with `dims`): the
 * passes of src/array/reduce-dims.ts, each one generated loop that folds whole rows at a time when
 * the folded axis is not the last, so both axes read memory in order.
 */
import { empty } from '../../src/array/create.js';
import { planReduce, type ReducePlan } from '../../src/array/ir/reduce-plan.js';
import { structureKey } from '../../src/array/ir/shared-nodes.js';
import type { Lambda, Num } from '../../src/array/ir/types.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Reducer } from '../../src/array/protocol.js';
import { type AxisPass, axisPasses, reducedShape, stridesOf } from '../../src/array/reduce-dims.js';
import { exprToJs } from './expr.js';
import { foldPlan } from './mapreduce.js';

type PassFn = (
  x: ArrayLike<number>,
  out: Float64Array,
  outer: number,
  len: number,
  inner: number,
  seed: number,
  start: number,
) => void;

const SEEDS = { init: 0, identity: 1, first: 2 } as const;

/** Source of one pass: out[o, i] folds x[o, k, i] over k; seed 2 starts from the first mapped element. */
function passSource(map: Num | null, step: Num): string {
  // The map's bindings follow each `const p0`, the step's each `const a` (the names it reads).
  const { decls: md, value: m } = map ? exprToJs(map, 'p', 'tm') : { decls: '', value: 'p0' };
  const { decls: sd, value: s } = exprToJs(step, ['a', 'v'], 'ts');
  return `return function pass(x, out, outer, len, inner, seed, start) {
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    if (inner === 1) {
      let k0 = 0; let acc = start;
      if (seed === 2) { const p0 = x[base]; ${md} acc = ${m}; k0 = 1; }
      for (let k = k0; k < len; k++) { const p0 = x[base + k]; ${md} const v = ${m}; const a = acc; ${sd} acc = ${s}; }
      out[o] = acc;
      continue;
    }
    const ob = o * inner;
    let k0 = 0;
    if (seed === 2) { for (let i = 0; i < inner; i++) { const p0 = x[base + i]; ${md} out[ob + i] = ${m}; } k0 = 1; }
    else out.fill(start, ob, ob + inner);
    for (let k = k0; k < len; k++) {
      const kb = base + k * inner;
      for (let i = 0; i < inner; i++) { const p0 = x[kb + i]; ${md} const v = ${m}; const a = out[ob + i]; ${sd} out[ob + i] = ${s}; }
    }
  }
};`;
}

const passes = new Map<string, PassFn>();

function passFn(p: AxisPass): PassFn {
  const key = `${p.map ? structureKey(p.map) : ''}\u0000${structureKey(p.step)}`;
  let f = passes.get(key);
  if (!f) {
    f = new Function(passSource(p.map, p.step))() as PassFn;
    passes.set(key, f);
  }
  return f;
}

/** Runs one pass on the host (shared by the GPU backends that fold a pass on the host). */
export function runPassHost(p: AxisPass, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.outer * p.inner);
  const start = p.seed === 'init' ? (p.init as number) : p.identity;
  passFn(p)(x, out, p.outer, p.len, p.inner, SEEDS[p.seed], start);
  return out;
}

/**
 * Each result element's elements in row-major order, folded by the plan: for an order-dependent
 * lambda along axes that are not one run.
 */
function gatherFold(plan: ReducePlan, x: NDArray, dims: readonly number[]): Float64Array {
  const { offsets, bases } = reductionOffsets(x.shape, dims);
  const out = new Float64Array(bases.length);
  const buf = new Float64Array(offsets.length);
  for (let o = 0; o < bases.length; o++) {
    const b = bases[o] as number;
    for (let j = 0; j < offsets.length; j++) buf[j] = x.data[b + (offsets[j] as number)] as number;
    out[o] = foldPlan(plan, buf);
  }
  return out;
}

/**
 * The linear offsets of every element that folds into one result element (row-major over the
 * reduced axes, so in increasing order), and the offset of each result element's first one.
 */
export function reductionOffsets(
  shape: readonly number[],
  dims: readonly number[],
): { offsets: number[]; bases: number[] } {
  const strides = stridesOf(shape);
  const expand = (axes: number[]): number[] => {
    let list = [0];
    for (const k of axes) {
      const next: number[] = [];
      for (const b of list)
        for (let i = 0; i < (shape[k] as number); i++) next.push(b + i * (strides[k] as number));
      list = next;
    }
    return list;
  };
  const kept = shape.map((_, k) => k).filter((k) => !dims.includes(k));
  return { offsets: expand([...dims]), bases: expand(kept) };
}

/** Host values of a reduction along `dims`, one per element of the reduced shape. */
export function reduceDimsHost(
  map: Lambda | null,
  reducer: Reducer,
  x: NDArray,
  dims: readonly number[],
  init: number | undefined,
): Float64Array {
  const plan = planReduce(map, reducer, init);
  const list = axisPasses(plan, x.shape, dims);
  if (!list) return gatherFold(plan, x, dims);
  let cur: ArrayLike<number> = x.data;
  for (const p of list) cur = runPassHost(p, cur);
  return cur instanceof Float64Array ? cur : Float64Array.from(cur);
}

/** The CPU kernel of `reduceDims`: a new NDArray of x's dtype with each of `dims` of length 1. */
export function reduceDimsCpu(
  map: Lambda | null,
  reducer: Reducer,
  x: NDArray,
  dims: readonly number[],
  init: number | undefined,
): NDArray {
  const out = empty(reducedShape(x.shape, dims), x.dtype);
  out.data.set(reduceDimsHost(map, reducer, x, dims, init));
  return out;
}
