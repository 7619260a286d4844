/** Prints the lowered IR as plain JavaScript for the CPU loops (the dialect of src/array/ir/print-js.ts). */
import type { ParamNames } from '../../src/array/ir/names.js';
import { type JsDialect, printJs } from '../../src/array/ir/print-js.js';
import type { Printed } from '../../src/array/ir/shared-nodes.js';
import type { Num } from '../../src/array/ir/types.js';

const plainJs: JsDialect = {
  num(v) {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Number.POSITIVE_INFINITY) return 'Infinity';
    if (v === Number.NEGATIVE_INFINITY) return '(-Infinity)';
    return v < 0 || Object.is(v, -0) ? `(${v === 0 ? '-0' : String(v)})` : String(v);
  },
  one: '1',
  zero: '0',
  pow: (a, b) => `(${a} ** ${b})`,
  lazy: true,
};

/** The JS source of lowered expression `e`: `decls` binds its shared nodes to `${temp}0`, `${temp}1`, …. */
export function exprToJs(e: Num, names: ParamNames = 'p', temp = 't'): Printed {
  return printJs(e, plainJs, names, temp);
}
