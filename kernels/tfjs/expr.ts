/**
 * Evaluates the broadcast IR with tfjs ops (NumPy broadcasting, as ours), keeping JS semantics
 * where tfjs differs: `%` truncates, comparisons give 1/0, min/max propagate NaN, Math.round
 * rounds half up. Call inside tf.tidy so intermediates are freed.
 */

import type { Expr } from '../../src/array/ir/types.js';
import { broadcastShapes } from '../../src/array/shape.js';
import { ArgumentError } from '../../src/errors.js';
import type { Tensor, TF } from './backend.js';

/** JS truthiness: neither 0 nor NaN. */
function truthy(tf: TF, x: Tensor): Tensor {
  return tf.logicalAnd(tf.notEqual(x, 0), tf.equal(x, x));
}

function trunc(tf: TF, x: Tensor): Tensor {
  return tf.mul(tf.sign(x), tf.floor(tf.abs(x)));
}

/** `cond ? a : b` elementwise, broadcasting all three. */
function where(tf: TF, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const s = broadcastShapes([cond.shape, a.shape, b.shape]);
  return tf.where(tf.broadcastTo(cond, s), tf.broadcastTo(a, s), tf.broadcastTo(b, s));
}

function nanAware(tf: TF, f: (a: Tensor, b: Tensor) => Tensor): (a: Tensor, b: Tensor) => Tensor {
  return (a, b) => {
    const anyNaN = tf.logicalOr(tf.isNaN(a), tf.isNaN(b));
    return where(tf, anyNaN, tf.scalar(Number.NaN), f(a, b));
  };
}

/** The tensor of `e` given the parameter tensors (or scalars). */
export function evalTf(tf: TF, e: Expr, params: readonly Tensor[]): Tensor {
  const r = (x: Expr): Tensor => evalTf(tf, x, params);
  switch (e.kind) {
    case 'num':
      return tf.scalar(e.value, 'float32');
    case 'param': {
      const p = params[e.index];
      if (!p) throw new ArgumentError(`tfjs broadcast: no argument ${e.index}`);
      return p;
    }
    case 'neg':
      return tf.neg(r(e.arg));
    case 'not':
      return tf.cast(tf.logicalNot(truthy(tf, r(e.arg))), 'float32');
    case 'binary': {
      const a = r(e.left);
      const b = r(e.right);
      switch (e.op) {
        case '+':
          return tf.add(a, b);
        case '-':
          return tf.sub(a, b);
        case '*':
          return tf.mul(a, b);
        case '/':
          return tf.div(a, b);
        case '%':
          return tf.sub(a, tf.mul(b, trunc(tf, tf.div(a, b))));
        case '**':
          return tf.pow(a, b);
        case '<':
          return tf.cast(tf.less(a, b), 'float32');
        case '<=':
          return tf.cast(tf.lessEqual(a, b), 'float32');
        case '>':
          return tf.cast(tf.greater(a, b), 'float32');
        case '>=':
          return tf.cast(tf.greaterEqual(a, b), 'float32');
        case '==':
          return tf.cast(tf.equal(a, b), 'float32');
        case '!=':
          return tf.cast(tf.notEqual(a, b), 'float32');
      }
      break;
    }
    case 'logical': {
      const a = r(e.left);
      const b = r(e.right);
      return e.op === '&&' ? where(tf, truthy(tf, a), b, a) : where(tf, truthy(tf, a), a, b);
    }
    case 'cond':
      return where(tf, truthy(tf, r(e.test)), r(e.ifTrue), r(e.ifFalse));
    case 'call': {
      const a = e.args.map(r);
      const [x = tf.scalar(Number.NaN), y = tf.scalar(Number.NaN)] = a;
      switch (e.fn) {
        case 'min':
          return a.length
            ? a.reduce(nanAware(tf, (p, q) => tf.minimum(p, q)))
            : tf.scalar(Number.POSITIVE_INFINITY);
        case 'max':
          return a.length
            ? a.reduce(nanAware(tf, (p, q) => tf.maximum(p, q)))
            : tf.scalar(Number.NEGATIVE_INFINITY);
        case 'hypot':
          return tf.sqrt(a.reduce((s, v) => tf.add(s, tf.square(v)), tf.scalar(0)));
        case 'round':
          return tf.floor(tf.add(x, 0.5));
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
        case 'pow':
          return tf.pow(x, y);
        default: {
          const unary: Partial<Record<string, (t: Tensor) => Tensor>> = {
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
          const f = unary[e.fn];
          if (!f)
            throw new ArgumentError(`tfjs: Math.${e.fn} has no tfjs translation; use the CPU backend for it`);
          return f(x);
        }
      }
    }
  }
  throw new ArgumentError(`tfjs: unsupported expression ${JSON.stringify(e)}`);
}
