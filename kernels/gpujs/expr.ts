/**
 * Compiles the broadcast IR to the JS subset gpu.js translates: numbers only, ternaries instead of
 * `&&`/`||`/`!` (gpu.js types those as booleans), and no NaN/Infinity identifiers.
 */
import type { Expr } from '../../src/array/ir/types.js';

function num(v: number): string {
  if (Number.isNaN(v)) return '(0.0 / 0.0)';
  if (!Number.isFinite(v)) return v > 0 ? '(1.0 / 0.0)' : '(-1.0 / 0.0)';
  const s = String(v);
  const lit = /[.e]/.test(s) ? s : `${s}.0`;
  return v < 0 ? `(${lit})` : lit;
}

/** JS falsiness (0 or NaN) as a ternary test. */
const falsy = (a: string): string => `(${a} === 0.0 || ${a} !== ${a})`;

/** The gpu.js-safe JS source of `e`; parameter i reads `${prefix}${i}`. */
export function exprToGpujs(e: Expr, prefix = 'p'): string {
  const r = (x: Expr): string => exprToGpujs(x, prefix);
  switch (e.kind) {
    case 'num':
      return num(e.value);
    case 'param':
      return `${prefix}${e.index}`;
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'not':
      return `(${falsy(r(e.arg))} ? 1.0 : 0.0)`;
    case 'binary':
      if (e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=')
        return `(${r(e.left)} ${e.op} ${r(e.right)} ? 1.0 : 0.0)`;
      if (e.op === '==' || e.op === '!=') return `(${r(e.left)} ${e.op}= ${r(e.right)} ? 1.0 : 0.0)`;
      if (e.op === '**') return `Math.pow(${r(e.left)}, ${r(e.right)})`;
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'logical': {
      const a = r(e.left);
      const b = r(e.right);
      return e.op === '&&' ? `(${falsy(a)} ? ${a} : ${b})` : `(${falsy(a)} ? ${b} : ${a})`;
    }
    case 'cond':
      return `(${falsy(r(e.test))} ? ${r(e.ifFalse)} : ${r(e.ifTrue)})`;
    case 'call':
      return `Math.${e.fn}(${e.args.map(r).join(', ')})`;
  }
}
