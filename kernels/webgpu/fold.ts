/**
 * Rewrites a two-parameter reducer lambda `(acc, x) => acc ⊕ g(x)` (⊕ one of + * min max, acc used
 * once, as a whole operand) into a built-in fold of `g`, which runs in parallel; any other lambda
 * is a sequential fold (its order matters).
 */
import type { Expr, Lambda } from '../../src/array/ir/types.js';

/** A built-in fold and the map it folds, over parameter 0 (the element, already mapped). */
export interface Split {
  readonly op: 'sum' | 'prod' | 'min' | 'max';
  readonly g: Expr;
}

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

const isAcc = (e: Expr): boolean => e.kind === 'param' && e.index === 0;

/** The parallel form of folding `map(x)` with `reducer`, or undefined when it has none. */
export function splitReducer(map: Lambda | null, reducer: Lambda): Split | undefined {
  const b = reducer.body;
  let op: Split['op'] | undefined;
  let pair: readonly [Expr, Expr] | undefined;
  if (b.kind === 'binary' && (b.op === '+' || b.op === '*')) {
    op = b.op === '+' ? 'sum' : 'prod';
    pair = [b.left, b.right];
  } else if (b.kind === 'call' && (b.fn === 'min' || b.fn === 'max') && b.args.length === 2) {
    op = b.fn;
    pair = [b.args[0]!, b.args[1]!];
  }
  if (!op || !pair) return undefined;
  const [l, r] = pair;
  const g = isAcc(l) && !uses(r, 0) ? r : isAcc(r) && !uses(l, 0) ? l : undefined;
  if (!g) return undefined;
  return { op, g: substitute(g, 1, map?.body ?? { kind: 'param', index: 0 }) };
}
