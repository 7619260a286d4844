/**
 * Prints the lowered IR (src/array/ir/lower.ts) as the JS subset gpu.js translates, node for node:
 * number literals always with a decimal point, NaN and ±∞ as divisions, `**` as Math.pow.
 */
import { type ParamNames, paramName } from '../../src/array/ir/names.js';
import type { Bool, Num } from '../../src/array/ir/types.js';

function num(v: number): string {
  if (Number.isNaN(v)) return '(0.0 / 0.0)';
  if (!Number.isFinite(v)) return v > 0 ? '(1.0 / 0.0)' : '(-1.0 / 0.0)';
  if (Object.is(v, -0)) return '(-0.0)';
  const s = String(v);
  const lit = /[.e]/.test(s) ? s : `${s}.0`;
  return v < 0 ? `(${lit})` : lit;
}

const CMP = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' } as const;

function boolToGpujs(b: Bool, names: ParamNames): string {
  const r = (x: Num): string => exprToGpujs(x, names);
  switch (b.kind) {
    case 'cmp':
      return `(${r(b.left)} ${CMP[b.op]} ${r(b.right)})`;
    case 'isNaN': {
      const a = r(b.arg);
      return `(${a} !== ${a})`;
    }
    case 'and':
      return `(${boolToGpujs(b.left, names)} && ${boolToGpujs(b.right, names)})`;
    case 'or':
      return `(${boolToGpujs(b.left, names)} || ${boolToGpujs(b.right, names)})`;
    case 'not':
      return `(!${boolToGpujs(b.arg, names)})`;
  }
}

/** The gpu.js-safe JS source of lowered expression `e`; parameter i reads `${prefix}${i}` (or names[i]). */
export function exprToGpujs(e: Num, names: ParamNames = 'p'): string {
  const r = (x: Num): string => exprToGpujs(x, names);
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
      return `(${boolToGpujs(e.test, names)} ? ${r(e.ifTrue)} : ${r(e.ifFalse)})`;
    case 'toNum':
      return `(${boolToGpujs(e.arg, names)} ? 1.0 : 0.0)`;
    case 'call': {
      const args = e.args.map(r);
      if (e.fn === 'rem') return `(${args[0]} % ${args[1]})`;
      if (e.fn === 'powPos') return `Math.pow(${args[0]}, ${args[1]})`;
      if (e.fn === 'copySign')
        return `((${args[1]} < 0.0 || 1.0 / ${args[1]} < 0.0) ? -Math.abs(${args[0]}) : Math.abs(${args[0]}))`;
      return `Math.${e.fn}(${args.join(', ')})`;
    }
  }
}
