/**
 * Evaluates the lowered IR (src/array/ir/lower.ts) with tfjs ops, node for node: numbers are
 * float32 tensors, truth values bool tensors, a select is tf.where. Where tfjs lacks a primitive
 * (trunc, cbrt, log2, log10, hypot, rem) it is composed from tfjs ops here. Call inside tf.tidy so
 * intermediates are freed.
 */

import type { Bool, Num } from '../../src/array/ir/types.js';
import { broadcastShapes } from '../../src/array/shape.js';
import { ArgumentError } from '../../src/errors.js';
import type { Tensor, TF } from './backend.js';

function trunc(tf: TF, x: Tensor): Tensor {
  return tf.mul(tf.sign(x), tf.floor(tf.abs(x)));
}

/** `cond ? a : b` elementwise, broadcasting all three. */
function where(tf: TF, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const s = broadcastShapes([cond.shape, a.shape, b.shape]);
  return tf.where(tf.broadcastTo(cond, s), tf.broadcastTo(a, s), tf.broadcastTo(b, s));
}

const CMP = {
  '<': 'less',
  '<=': 'lessEqual',
  '>': 'greater',
  '>=': 'greaterEqual',
  '==': 'equal',
  '!=': 'notEqual',
} as const;

function unary(tf: TF): Partial<Record<string, (t: Tensor) => Tensor>> {
  return {
    abs: tf.abs,
    sqrt: tf.sqrt,
    exp: tf.exp,
    expm1: tf.expm1,
    log: tf.log,
    log1p: tf.log1p,
    sin: tf.sin,
    cos: tf.cos,
    tan: tf.tan,
    asin: tf.asin,
    acos: tf.acos,
    atan: tf.atan,
    sinh: tf.sinh,
    cosh: tf.cosh,
    tanh: tf.tanh,
    asinh: tf.asinh,
    acosh: tf.acosh,
    atanh: tf.atanh,
    floor: tf.floor,
    ceil: tf.ceil,
    sign: tf.sign,
  };
}

/** The tensor of lowered expression `e` given the parameter tensors (or scalars). */
export function evalTf(tf: TF, e: Num, params: readonly Tensor[]): Tensor {
  // Lowering shares the operand a rule inspects twice; it is evaluated once.
  const done = new Map<Num | Bool, Tensor>();
  const memo =
    <T extends Num | Bool>(f: (x: T) => Tensor) =>
    (x: T): Tensor => {
      let t = done.get(x);
      if (!t) {
        t = f(x);
        done.set(x, t);
      }
      return t;
    };
  const b: (x: Bool) => Tensor = memo((x: Bool): Tensor => {
    switch (x.kind) {
      case 'cmp':
        return tf[CMP[x.op]](n(x.left), n(x.right));
      case 'isNaN':
        return tf.isNaN(n(x.arg));
      case 'and':
        return tf.logicalAnd(b(x.left), b(x.right));
      case 'or':
        return tf.logicalOr(b(x.left), b(x.right));
      case 'not':
        return tf.logicalNot(b(x.arg));
    }
  });
  const n: (x: Num) => Tensor = memo((x: Num): Tensor => {
    switch (x.kind) {
      case 'num':
        return tf.scalar(x.value, 'float32');
      case 'param': {
        const p = params[x.index];
        if (!p) throw new ArgumentError(`tfjs broadcast: no argument ${x.index}`);
        return p;
      }
      case 'neg':
        return tf.neg(n(x.arg));
      case 'arith': {
        const l = n(x.left);
        const r = n(x.right);
        if (x.op === '+') return tf.add(l, r);
        if (x.op === '-') return tf.sub(l, r);
        if (x.op === '*') return tf.mul(l, r);
        return tf.div(l, r);
      }
      case 'select':
        return where(tf, b(x.test), n(x.ifTrue), n(x.ifFalse));
      case 'toNum':
        return tf.cast(b(x.arg), 'float32');
      case 'call':
        return call(tf, x.fn, x.args.map(n));
    }
  });
  return n(e);
}

function call(tf: TF, fn: Extract<Num, { kind: 'call' }>['fn'], a: Tensor[]): Tensor {
  const [x = tf.scalar(Number.NaN), y = tf.scalar(Number.NaN)] = a;
  switch (fn) {
    case 'min':
      return tf.minimum(x, y);
    case 'max':
      return tf.maximum(x, y);
    case 'rem':
      return tf.sub(x, tf.mul(y, trunc(tf, tf.div(x, y))));
    case 'powPos':
      return tf.pow(x, y);
    case 'copySign': {
      // The sign bit of y: y < 0, or 1 / y < 0 for −0.
      const negative = tf.logicalOr(tf.less(y, 0), tf.less(tf.div(1, y), 0));
      return where(tf, negative, tf.neg(tf.abs(x)), tf.abs(x));
    }
    case 'hypot':
      return tf.sqrt(a.reduce((s, v) => tf.add(s, tf.square(v)), tf.scalar(0)));
    case 'trunc':
      return trunc(tf, x);
    case 'fround':
      return x;
    case 'cbrt':
      return tf.mul(tf.sign(x), tf.pow(tf.abs(x), 1 / 3));
    case 'log2':
      return tf.div(tf.log(x), Math.LN2);
    case 'log10':
      return tf.div(tf.log(x), Math.LN10);
    case 'atan2':
      return tf.atan2(x, y);
    default: {
      const f = unary(tf)[fn];
      if (!f) throw new ArgumentError(`tfjs: Math.${fn} has no tfjs translation; use the CPU backend for it`);
      return f(x);
    }
  }
}
