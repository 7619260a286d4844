/**
 * Prints the lowered IR (src/array/ir/lower.ts) as a JS expression, node for node: JS's own
 * operators already have the IEEE meaning of each node, so nothing here adds number rules.
 */
import { type ParamNames, paramName } from '../../src/array/ir/names.js';
import type { Bool, Num } from '../../src/array/ir/types.js';

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return 'Infinity';
  if (v === Number.NEGATIVE_INFINITY) return '(-Infinity)';
  return v < 0 || Object.is(v, -0) ? `(${v === 0 ? '-0' : String(v)})` : String(v);
}

const CMP = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' } as const;

function boolToJs(b: Bool, names: ParamNames): string {
  const r = (x: Num): string => exprToJs(x, names);
  switch (b.kind) {
    case 'cmp':
      return `(${r(b.left)} ${CMP[b.op]} ${r(b.right)})`;
    case 'isNaN': {
      const a = r(b.arg);
      return `(${a} !== ${a})`;
    }
    case 'and':
      return `(${boolToJs(b.left, names)} && ${boolToJs(b.right, names)})`;
    case 'or':
      return `(${boolToJs(b.left, names)} || ${boolToJs(b.right, names)})`;
    case 'not':
      return `(!${boolToJs(b.arg, names)})`;
  }
}

/** The JS source of lowered expression `e`. */
export function exprToJs(e: Num, names: ParamNames = 'p'): string {
  const r = (x: Num): string => exprToJs(x, names);
  switch (e.kind) {
    case 'num':
      return num(e.value);
    case 'param':
      return paramName(names, e.index);
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'arith':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'select':
      return `(${boolToJs(e.test, names)} ? ${r(e.ifTrue)} : ${r(e.ifFalse)})`;
    case 'toNum':
      return `(${boolToJs(e.arg, names)} ? 1 : 0)`;
    case 'call': {
      const args = e.args.map(r);
      if (e.fn === 'rem') return `(${args[0]} % ${args[1]})`;
      if (e.fn === 'powPos') return `(${args[0]} ** ${args[1]})`;
      // JS has no copysign: the sign bit of y is y < 0, or 1 / y < 0 for −0.
      if (e.fn === 'copySign')
        return `((${args[1]} < 0 || 1 / ${args[1]} < 0) ? -Math.abs(${args[0]}) : Math.abs(${args[0]}))`;
      return `Math.${e.fn}(${args.join(', ')})`;
    }
  }
}
