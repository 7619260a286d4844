/** Compiles the broadcast IR to a JS expression over local variables p0, p1, … (one per parameter). */
import type { Expr } from '../../src/array/ir/types.js';

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '(-Infinity)';
  return v < 0 || Object.is(v, -0) ? `(${v === 0 ? '-0' : String(v)})` : String(v);
}

/** The JS source of `e`; parameter i reads the variable `${prefix}${i}`. */
export function exprToJs(e: Expr, prefix = 'p'): string {
  const r = (x: Expr): string => exprToJs(x, prefix);
  switch (e.kind) {
    case 'num':
      return num(e.value);
    case 'param':
      return `${prefix}${e.index}`;
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'not':
      return `(${r(e.arg)} ? 0 : 1)`;
    case 'binary':
      // Comparisons give 1/0 rather than booleans so every subexpression stays a number.
      if (e.op === '==' || e.op === '!=') return `(${r(e.left)} ${e.op}= ${r(e.right)} ? 1 : 0)`;
      if (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=')
        return `(${r(e.left)} ${e.op} ${r(e.right)} ? 1 : 0)`;
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'logical':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'cond':
      return `(${r(e.test)} ? ${r(e.ifTrue)} : ${r(e.ifFalse)})`;
    case 'call':
      return `Math.${e.fn}(${e.args.map(r).join(', ')})`;
  }
}
