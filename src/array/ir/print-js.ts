/**
 * Prints the lowered IR (lower.ts) as JavaScript, node for node: bindings for its shared nodes,
 * then an expression. The CPU loop and gpu.js both compile JavaScript; they differ in how literals
 * and powers may be written and in whether a branch may bind locals, which a dialect supplies.
 * JS's own operators already have each node's IEEE meaning, so nothing here adds number rules.
 */

import { lazyBindings, type Region } from './lazy-bindings.js';
import { type ParamNames, paramName } from './names.js';
import { type LoweredNode, type Printed, printShared } from './shared-nodes.js';
import type { Num } from './types.js';

/** How a JavaScript-family target writes what plain JS writes freely. */
export interface JsDialect {
  /** A number literal (NaN, ±∞ and −0 included), parenthesised where a sign could bind wrongly. */
  num(v: number): string;
  /** The numbers a truth value becomes. */
  one: string;
  zero: string;
  /** `a ** b` for a non-negative base (lower.ts handles the rest). */
  pow(a: string, b: string): string;
  /**
   * Whether a shared node may be computed inside the branch that needs it (by assignments in a
   * comma expression), so a branch not taken costs nothing; otherwise every shared node is a
   * `const` computed before the expression.
   */
  lazy: boolean;
}

const CMP = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' } as const;

/** `r` prints an operand, `lazy` operand i of `e` where only some paths evaluate it. */
function printNode(
  e: LoweredNode,
  d: JsDialect,
  names: ParamNames,
  r: (x: LoweredNode) => string,
  lazy: (i: number, x: LoweredNode) => string,
): string {
  switch (e.kind) {
    case 'num':
      return d.num(e.value);
    case 'param':
      return paramName(names, e.index);
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'arith':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'select':
      return `(${r(e.test)} ? ${lazy(1, e.ifTrue)} : ${lazy(2, e.ifFalse)})`;
    case 'toNum':
      return `(${r(e.arg)} ? ${d.one} : ${d.zero})`;
    case 'call': {
      const args = e.args.map(r);
      const [a = '', b = ''] = args;
      if (e.fn === 'rem') return `(${a} % ${b})`;
      if (e.fn === 'powPos') return d.pow(a, b);
      // JS has no copysign: the sign bit of y is y < 0, or 1 / y < 0 for −0.
      if (e.fn === 'copySign')
        return `((${b} < ${d.zero} || ${d.one} / ${b} < ${d.zero}) ? -Math.abs(${a}) : Math.abs(${a}))`;
      return `Math.${e.fn}(${args.join(', ')})`;
    }
    case 'cmp':
      return `(${r(e.left)} ${CMP[e.op]} ${r(e.right)})`;
    case 'isNaN': {
      const a = r(e.arg);
      return `(${a} !== ${a})`;
    }
    case 'and':
      return `(${r(e.left)} && ${lazy(1, e.right)})`;
    case 'or':
      return `(${r(e.left)} || ${lazy(1, e.right)})`;
    case 'not':
      return `(!${r(e.arg)})`;
  }
}

/**
 * The source of lowered expression `e` in dialect `d`; parameter i reads `p${i}` (or `names[i]`),
 * and shared nodes are locals `${temp}${k}`, declared by the statements in `decls`.
 *
 * @example printJs(lowerLambda(lambda), dialect).value // '(p0 + (2 * p1))' for `(a, b) => a + 2 * b`
 */
export function printJs(e: Num, d: JsDialect, names: ParamNames = 'p', temp = 't'): Printed {
  if (!d.lazy)
    return printShared(
      e,
      temp,
      (name, value) => `const ${name} = ${value};`,
      (x, r) => printNode(x, d, names, r, (_, c) => r(c)),
    );
  const plan = lazyBindings(e);
  const local = new Map(plan.shared.map((n, k) => [n, `${temp}${k}`]));
  const r = (x: LoweredNode): string => local.get(x) ?? text(x);
  const text = (x: LoweredNode): string =>
    printNode(x, d, names, r, (i, c) => enter(plan.branch(x, i), r(c)));
  // A branch computes its shared nodes first, as assignments before its value in a comma expression.
  const enter = (region: Region | undefined, value: string): string =>
    region?.bound.length
      ? `(${region.bound.map((n) => `${local.get(n)} = ${text(n)}`).join(', ')}, ${value})`
      : value;
  const value = r(e);
  const atTop = new Set(plan.top.bound);
  const inBranches = plan.shared.filter((n) => !atTop.has(n)).map((n) => local.get(n));
  const decls = [
    ...(inBranches.length ? [`let ${inBranches.join(', ')};`] : []),
    ...plan.top.bound.map((n) => `const ${local.get(n)} = ${text(n)};`),
  ];
  return { decls: decls.join(' '), value };
}
