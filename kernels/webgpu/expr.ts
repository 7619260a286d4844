/**
 * Compiles the broadcast IR (src/array/ir/types.ts) to a WGSL f32 expression over `p0, p1, …`,
 * keeping JS semantics where WGSL differs: comparisons give 1/0, truthiness treats NaN as false,
 * min/max propagate NaN, `**` and Math.pow accept negative bases, Math.round rounds half up.
 */
import type { Expr } from '../../src/array/ir/types.js';
import { ArgumentError } from '../../src/errors.js';

/** WGSL helpers the generated expressions call; prepended to every shader that uses exprToWgsl. */
export const WGSL_PRELUDE = /* wgsl */ `
fn js_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn js_truthy(x: f32) -> bool { return !(x == 0.0 || js_nan(x)); }
fn js_b(c: bool) -> f32 { return select(0.0, 1.0, c); }
// Tint refuses NaN and infinite constants, so they are made from a runtime value.
var<private> JS_SPECIAL: vec3u = vec3u(0x7fc00000u, 0x7f800000u, 0xff800000u);
fn js_NaN() -> f32 { return bitcast<f32>(JS_SPECIAL.x); }
fn js_Inf() -> f32 { return bitcast<f32>(JS_SPECIAL.y); }
fn js_NInf() -> f32 { return bitcast<f32>(JS_SPECIAL.z); }
fn js_min(a: f32, b: f32) -> f32 { if (js_nan(a) || js_nan(b)) { return js_NaN(); } return min(a, b); }
fn js_max(a: f32, b: f32) -> f32 { if (js_nan(a) || js_nan(b)) { return js_NaN(); } return max(a, b); }
fn js_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (js_nan(a) || js_nan(b)) { return js_NaN(); }
  if (a >= 0.0) { return pow(a, b); }
  if (b != trunc(b)) { return js_NaN(); }
  let m = pow(-a, b);
  return select(m, -m, (b - 2.0 * floor(b / 2.0)) == 1.0);
}
fn js_cbrt(x: f32) -> f32 { return sign(x) * pow(abs(x), 1.0 / 3.0); }
fn js_expm1(x: f32) -> f32 { if (abs(x) < 1e-4) { return x + 0.5 * x * x; } return exp(x) - 1.0; }
fn js_log1p(x: f32) -> f32 { if (abs(x) < 1e-4) { return x - 0.5 * x * x; } return log(1.0 + x); }
fn js_hypot(a: f32, b: f32) -> f32 {
  let m = max(abs(a), abs(b));
  if (m == 0.0 || js_nan(m) || m > 3.0e38) { return m; }
  let x = a / m; let y = b / m;
  return m * sqrt(x * x + y * y);
}
// The sign of a zero remainder is the dividend's, as in JS (-2 % 2 is -0).
fn js_mod(a: f32, b: f32) -> f32 { let r = a - b * trunc(a / b); return select(r, bitcast<f32>(bitcast<u32>(a) & 0x80000000u), r == 0.0); }
`;

function num(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'js_NaN()';
  if (f === Number.POSITIVE_INFINITY) return 'js_Inf()';
  if (f === Number.NEGATIVE_INFINITY) return 'js_NInf()';
  // Non-integers go in as their f32 bit pattern: exactly the value the host rounds to, -0 included,
  // with no decimal round trip through the shader compiler.
  const bits = new Uint32Array(Float32Array.of(f).buffer)[0]!;
  return Number.isInteger(f) && Math.abs(f) < 2 ** 24 && !Object.is(f, -0)
    ? `${f}.0`
    : `bitcast<f32>(0x${bits.toString(16)}u)`;
}

const DIRECT: Partial<Record<string, string>> = {
  abs: 'abs',
  sqrt: 'sqrt',
  exp: 'exp',
  log: 'log',
  log2: 'log2',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  asinh: 'asinh',
  acosh: 'acosh',
  atanh: 'atanh',
  floor: 'floor',
  ceil: 'ceil',
  trunc: 'trunc',
  sign: 'sign',
  cbrt: 'js_cbrt',
  expm1: 'js_expm1',
  log1p: 'js_log1p',
  atan2: 'atan2',
  pow: 'js_pow',
};

/** Folds a variadic call pairwise: f(a, b, c) → f(f(a, b), c). */
function fold(fn: string, args: string[], empty: string): string {
  if (args.length === 0) return empty;
  return args.reduce((acc, a) => `${fn}(${acc}, ${a})`);
}

/** The WGSL source of `e`; parameter i reads the variable `${prefix}${i}`. */
export function exprToWgsl(e: Expr, prefix = 'p'): string {
  const r = (x: Expr): string => exprToWgsl(x, prefix);
  switch (e.kind) {
    case 'num':
      return num(e.value);
    case 'param':
      return `${prefix}${e.index}`;
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'not':
      return `js_b(!js_truthy(${r(e.arg)}))`;
    case 'binary':
      switch (e.op) {
        case '%':
          return `js_mod(${r(e.left)}, ${r(e.right)})`;
        case '**':
          return `js_pow(${r(e.left)}, ${r(e.right)})`;
        case '<':
        case '<=':
        case '>':
        case '>=':
        case '==':
        case '!=':
          return `js_b(${r(e.left)} ${e.op} ${r(e.right)})`;
        default:
          return `(${r(e.left)} ${e.op} ${r(e.right)})`;
      }
    case 'logical': {
      const a = r(e.left);
      const b = r(e.right);
      return e.op === '&&' ? `select(${a}, ${b}, js_truthy(${a}))` : `select(${b}, ${a}, js_truthy(${a}))`;
    }
    case 'cond':
      return `select(${r(e.ifFalse)}, ${r(e.ifTrue)}, js_truthy(${r(e.test)}))`;
    case 'call': {
      const args = e.args.map(r);
      if (e.fn === 'min') return fold('js_min', args, 'js_Inf()');
      if (e.fn === 'max') return fold('js_max', args, 'js_NInf()');
      if (e.fn === 'hypot') return args.length === 1 ? `abs(${args[0]})` : fold('js_hypot', args, '0.0');
      if (e.fn === 'round') return `floor(${args[0]} + 0.5)`;
      if (e.fn === 'fround') return `${args[0]}`;
      if (e.fn === 'log10') return `(log2(${args[0]}) * 0.30102999566)`;
      const f = DIRECT[e.fn];
      if (!f)
        throw new ArgumentError(`WebGPU: Math.${e.fn} has no WGSL translation; use the CPU backend for it`);
      return `${f}(${args.join(', ')})`;
    }
  }
}
