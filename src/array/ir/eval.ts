/**
 * Evaluates the lowered IR on the host, node for node, for the few values a reduction combines
 * outside a kernel (partials from workers or workgroups, an init). Kernels compile instead.
 */
import type { Bool, Num } from './types.js';

function bool(b: Bool, params: readonly number[]): boolean {
  switch (b.kind) {
    case 'cmp': {
      const l = evalLowered(b.left, params);
      const r = evalLowered(b.right, params);
      switch (b.op) {
        case '<':
          return l < r;
        case '<=':
          return l <= r;
        case '>':
          return l > r;
        case '>=':
          return l >= r;
        case '==':
          return l === r;
        case '!=':
          return l !== r;
      }
      break;
    }
    case 'isNaN':
      return Number.isNaN(evalLowered(b.arg, params));
    case 'and':
      return bool(b.left, params) && bool(b.right, params);
    case 'or':
      return bool(b.left, params) || bool(b.right, params);
    case 'not':
      return !bool(b.arg, params);
  }
}

/** The value of lowered expression `e` with parameter i bound to `params[i]`. */
export function evalLowered(e: Num, params: readonly number[]): number {
  switch (e.kind) {
    case 'num':
      return e.value;
    case 'param':
      return params[e.index] ?? Number.NaN;
    case 'neg':
      return -evalLowered(e.arg, params);
    case 'arith': {
      const l = evalLowered(e.left, params);
      const r = evalLowered(e.right, params);
      return e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
    }
    case 'select':
      return bool(e.test, params) ? evalLowered(e.ifTrue, params) : evalLowered(e.ifFalse, params);
    case 'toNum':
      return bool(e.arg, params) ? 1 : 0;
    case 'call': {
      const a = e.args.map((x) => evalLowered(x, params));
      const [x = Number.NaN, y = Number.NaN] = a;
      switch (e.fn) {
        case 'rem':
          return x % y;
        case 'powPos':
          return x ** y;
        case 'copySign':
          return y < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x);
        default:
          return (Math[e.fn] as (...v: number[]) => number)(...a);
      }
    }
  }
}
