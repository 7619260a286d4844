/**
 * What a reduction means, decided once for every backend: from the reducer (a built-in name or a
 * two-parameter lambda), the optional map and whether an init was given, a {@link ReducePlan} says
 * whether the fold is a monoid (which may run as a parallel tree), what each element maps to, the
 * combine step, where the fold starts, and what an empty array gives. Kernels only carry it out.
 */
import { ArgumentError } from '../../errors.js';
import type { Reducer } from '../protocol.js';
import { evalLowered } from './eval.js';
import { lowerExpr, lowerLambda } from './lower.js';
import { structureKey } from './shared-nodes.js';
import type { Expr, Lambda, Num } from './types.js';

/** The built-in associative folds. */
export type MonoidOp = 'sum' | 'prod' | 'min' | 'max';

/** An associative fold with its identity. */
export interface Monoid {
  readonly op: MonoidOp;
  /** The neutral element: 0, 1, +∞, −∞. */
  readonly identity: number;
  /**
   * Whether an empty reduction without init gives the identity (sum 0, prod 1) or is an error
   * (min, max: as in Julia, an empty minimum has no meaningful value).
   */
  readonly emptyGivesIdentity: boolean;
  /** The combine step, lowered, over param 0 (accumulator) and param 1 (value); NaN-aware for min/max. */
  readonly step: Num;
}

/** A reduction, planned: see planReduce. Plain data. */
export interface ReducePlan {
  /** Names the operation in errors: 'sum', 'prod', 'min', 'max' or 'reduce'. */
  readonly name: string;
  /** Set when the fold is associative and may run in any grouping; undefined for a sequential lambda. */
  readonly monoid: Monoid | undefined;
  /** What each element becomes before folding, lowered, over param 0; null for the element itself. */
  readonly map: Num | null;
  /** The combine step, lowered, over param 0 (accumulator) and param 1 (mapped value). */
  readonly step: Num;
  /**
   * Where the fold starts: `init`; the monoid's identity; or, for a sequential lambda without
   * init, the first mapped element (which is not passed through the step).
   */
  readonly seed: 'init' | 'identity' | 'first';
  readonly init: number | undefined;
  /** Identifies map and step, for caches of generated code. */
  readonly key: string;
}

const P0: Expr = { kind: 'param', index: 0 };
const P1: Expr = { kind: 'param', index: 1 };

/** The parsed step of each built-in, over param 0 (accumulator) and param 1 (value). */
const STEPS: Record<MonoidOp, Expr> = {
  sum: { kind: 'binary', op: '+', left: P0, right: P1 },
  prod: { kind: 'binary', op: '*', left: P0, right: P1 },
  min: { kind: 'call', fn: 'min', args: [P0, P1] },
  max: { kind: 'call', fn: 'max', args: [P0, P1] },
};

/** The built-in monoids. */
export const MONOIDS: Readonly<Record<MonoidOp, Monoid>> = {
  sum: { op: 'sum', identity: 0, emptyGivesIdentity: true, step: lowerExpr(STEPS.sum) },
  prod: { op: 'prod', identity: 1, emptyGivesIdentity: true, step: lowerExpr(STEPS.prod) },
  min: {
    op: 'min',
    identity: Number.POSITIVE_INFINITY,
    emptyGivesIdentity: false,
    step: lowerExpr(STEPS.min),
  },
  max: {
    op: 'max',
    identity: Number.NEGATIVE_INFINITY,
    emptyGivesIdentity: false,
    step: lowerExpr(STEPS.max),
  },
};

/** `e` with every `param index` replaced by `by`. */
function substitute(e: Expr, index: number, by: Expr): Expr {
  const s = (x: Expr): Expr => substitute(x, index, by);
  switch (e.kind) {
    case 'num':
      return e;
    case 'param':
      return e.index === index ? by : e;
    case 'neg':
    case 'not':
      return { ...e, arg: s(e.arg) };
    case 'binary':
    case 'logical':
      return { ...e, left: s(e.left), right: s(e.right) };
    case 'cond':
      return { ...e, test: s(e.test), ifTrue: s(e.ifTrue), ifFalse: s(e.ifFalse) };
    case 'call':
      return { ...e, args: e.args.map(s) };
  }
}

function uses(e: Expr, index: number): boolean {
  switch (e.kind) {
    case 'num':
      return false;
    case 'param':
      return e.index === index;
    case 'neg':
    case 'not':
      return uses(e.arg, index);
    case 'binary':
    case 'logical':
      return uses(e.left, index) || uses(e.right, index);
    case 'cond':
      return uses(e.test, index) || uses(e.ifTrue, index) || uses(e.ifFalse, index);
    case 'call':
      return e.args.some((a) => uses(a, index));
  }
}

const isParam = (e: Expr, index: number): boolean => e.kind === 'param' && e.index === index;

/**
 * A reducer lambda `(acc, x) => acc ⊕ g(x)` (⊕ one of + * min max, acc used once, as a whole
 * operand): the monoid ⊕ and g, or undefined for any other lambda.
 */
function splitLambda(reducer: Lambda): { op: MonoidOp; g: Expr } | undefined {
  const b = reducer.body;
  let op: MonoidOp | undefined;
  let pair: readonly [Expr, Expr] | undefined;
  if (b.kind === 'binary' && (b.op === '+' || b.op === '*')) {
    op = b.op === '+' ? 'sum' : 'prod';
    pair = [b.left, b.right];
  } else if (b.kind === 'call' && (b.fn === 'min' || b.fn === 'max') && b.args.length === 2) {
    op = b.fn;
    pair = [b.args[0]!, b.args[1]!];
  }
  if (!op || !pair || reducer.params.length !== 2) return undefined;
  const [l, r] = pair;
  const g = isParam(l, 0) && !uses(r, 0) ? r : isParam(r, 0) && !uses(l, 0) ? l : undefined;
  return g ? { op, g } : undefined;
}

/**
 * Plans `mapreduce(map, reducer, x, { init })`. A built-in name, or a lambda that is one
 * (`(a, b) => a + b`), is its monoid. A lambda `(acc, x) => acc ⊕ g(x)` with an init is the monoid
 * ⊕ over g(map(x)); without init it stays sequential unless g is x itself, since the first element
 * seeds the fold without passing through g. Any other lambda is a sequential fold, in order.
 *
 * @example
 * planReduce(null, lambdaOf((s, v) => s + v * v), 0).monoid?.op; // 'sum', with map v * v
 */
export function planReduce(map: Lambda | null, reducer: Reducer, init: number | undefined): ReducePlan {
  const seedOf = (monoid: boolean) => (init !== undefined ? 'init' : monoid ? 'identity' : 'first');
  if (typeof reducer === 'string') {
    const monoid = MONOIDS[reducer];
    const m = map ? lowerLambda(map) : null;
    return {
      name: reducer,
      monoid,
      map: m,
      step: monoid.step,
      seed: seedOf(true),
      init,
      key: `${reducer}\u0000${map?.source ?? ''}`,
    };
  }
  const split = splitLambda(reducer);
  if (split && (init !== undefined || isParam(split.g, 1))) {
    const monoid = MONOIDS[split.op];
    const g = substitute(split.g, 1, map?.body ?? P0);
    return {
      name: isParam(split.g, 1) ? split.op : 'reduce',
      monoid,
      map: isParam(g, 0) ? null : lowerExpr(g),
      step: monoid.step,
      seed: seedOf(true),
      init,
      key: `${split.op}\u0000${structureKey(g)}`,
    };
  }
  return {
    name: 'reduce',
    monoid: undefined,
    map: map ? lowerLambda(map) : null,
    step: lowerLambda(reducer),
    seed: seedOf(false),
    init,
    key: `\u0000${map?.source ?? ''}\u0000${reducer.source}`,
  };
}

/**
 * The result of a reduction over no elements: init when given, else the monoid's identity where
 * that is the answer (sum 0, prod 1); otherwise an ArgumentError naming the operation.
 */
export function emptyResult(plan: ReducePlan, what = 'the array'): number {
  if (plan.init !== undefined) return plan.init;
  if (plan.monoid?.emptyGivesIdentity) return plan.monoid.identity;
  throw new ArgumentError(`${plan.name}: ${what} is empty; pass init for a starting value`);
}

/** The plan's step applied on the host (double precision) to an accumulator and a value. */
export function applyStep(plan: ReducePlan, acc: number, v: number): number {
  return evalLowered(plan.step, [acc, v]);
}

/** A monoid plan's result over the elements, with its init (if any) folded in on the host. */
export function withInit(plan: ReducePlan, v: number): number {
  return plan.init === undefined ? v : applyStep(plan, plan.init, v);
}
