/**
 * Evaluates the lowered IR on the host, node for node, for the few values a reduction combines
 * outside a kernel (partials from workers or workgroups, an init). Kernels compile instead. A node
 * the DAG shares (shared-nodes.ts) is evaluated once per call, so nested rules cost linear time.
 */
import { type LoweredNode, sharedNodes } from './shared-nodes.js';
import type { Bool, Num } from './types.js';

const sharedOf = new WeakMap<Num, ReadonlySet<LoweredNode>>();

function cmp(op: Extract<Bool, { kind: 'cmp' }>['op'], l: number, r: number): boolean {
  switch (op) {
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
}

function call(fn: Extract<Num, { kind: 'call' }>['fn'], a: number[]): number {
  const [x = Number.NaN, y = Number.NaN] = a;
  switch (fn) {
    case 'rem':
      return x % y;
    case 'powPos':
      return x ** y;
    case 'copySign':
      return y < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x);
    default:
      return (Math[fn] as (...v: number[]) => number)(...a);
  }
}

/** The value of lowered expression `e` with parameter i bound to `params[i]`. */
export function evalLowered(e: Num, params: readonly number[]): number {
  let shared = sharedOf.get(e);
  if (!shared) {
    shared = new Set(sharedNodes([e]));
    sharedOf.set(e, shared);
  }
  const known = new Map<LoweredNode, number | boolean>();
  const memo =
    <N extends LoweredNode, V extends number | boolean>(f: (x: N) => V) =>
    (x: N): V => {
      if (!shared.has(x)) return f(x);
      let v = known.get(x) as V | undefined;
      if (v === undefined) {
        v = f(x);
        known.set(x, v);
      }
      return v;
    };
  const bool: (b: Bool) => boolean = memo((b: Bool): boolean => {
    switch (b.kind) {
      case 'cmp':
        return cmp(b.op, num(b.left), num(b.right));
      case 'isNaN':
        return Number.isNaN(num(b.arg));
      case 'and':
        return bool(b.left) && bool(b.right);
      case 'or':
        return bool(b.left) || bool(b.right);
      case 'not':
        return !bool(b.arg);
    }
  });
  const num: (x: Num) => number = memo((x: Num): number => {
    switch (x.kind) {
      case 'num':
        return x.value;
      case 'param':
        return params[x.index] ?? Number.NaN;
      case 'neg':
        return -num(x.arg);
      case 'arith': {
        const l = num(x.left);
        const r = num(x.right);
        return x.op === '+' ? l + r : x.op === '-' ? l - r : x.op === '*' ? l * r : l / r;
      }
      case 'select':
        return bool(x.test) ? num(x.ifTrue) : num(x.ifFalse);
      case 'toNum':
        return bool(x.arg) ? 1 : 0;
      case 'call':
        return call(x.fn, x.args.map(num));
    }
  });
  return num(e);
}
