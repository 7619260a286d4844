/**
 * Prints the lowered IR as the JavaScript subset gpu.js translates (the dialect of
 * src/array/ir/print-js.ts): number literals always with a decimal point, NaN and ±∞ as
 * divisions, `**` as Math.pow.
 */
import type { ParamNames } from '../../src/array/ir/names.js';
import { type JsDialect, printJs } from '../../src/array/ir/print-js.js';
import type { Printed } from '../../src/array/ir/shared-nodes.js';
import type { Num } from '../../src/array/ir/types.js';

const gpujsDialect: JsDialect = {
  num(v) {
    if (Number.isNaN(v)) return '(0.0 / 0.0)';
    if (!Number.isFinite(v)) return v > 0 ? '(1.0 / 0.0)' : '(-1.0 / 0.0)';
    if (Object.is(v, -0)) return '(-0.0)';
    const s = String(v);
    const lit = /[.e]/.test(s) ? s : `${s}.0`;
    return v < 0 ? `(${lit})` : lit;
  },
  one: '1.0',
  zero: '0.0',
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  // gpu.js translates declarations and expressions to GLSL, not assignments inside expressions.
  lazy: false,
};

/**
 * The gpu.js-safe JS source of lowered expression `e`; parameter i reads `p${i}` (or names[i]),
 * and `decls` binds its shared nodes to `${temp}0`, `${temp}1`, ….
 */
export function exprToGpujs(e: Num, names: ParamNames = 'p', temp = 't'): Printed {
  return printJs(e, gpujsDialect, names, temp);
}
