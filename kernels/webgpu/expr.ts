/**
 * Prints the lowered IR (src/array/ir/lower.ts) as a WGSL f32 expression over `p0, p1, …`, node
 * for node, after `let` bindings of its shared nodes. Where WGSL lacks a primitive (NaN test, NaN/∞ constants, cbrt, expm1, log1p, hypot) the
 * prelude implements that primitive; JavaScript's own rules were already spelled out by lowering.
 */
import { type ParamNames, paramName } from '../../src/array/ir/names.js';
import { type LoweredNode, type Printed, printShared } from '../../src/array/ir/shared-nodes.js';
import type { Num } from '../../src/array/ir/types.js';
import { ArgumentError } from '../../src/errors.js';

/** WGSL helpers the generated expressions call; prepended to every shader that uses exprToWgsl. */
export const WGSL_PRELUDE = /* wgsl */ `
// A bit test: compilers may assume x == x and fold a comparison-based NaN test away.
fn js_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// Tint refuses NaN and infinite constants, so they are made from a runtime value.
var<private> JS_SPECIAL: vec3u = vec3u(0x7fc00000u, 0x7f800000u, 0xff800000u);
fn js_NaN() -> f32 { return bitcast<f32>(JS_SPECIAL.x); }
fn js_Inf() -> f32 { return bitcast<f32>(JS_SPECIAL.y); }
fn js_NInf() -> f32 { return bitcast<f32>(JS_SPECIAL.z); }
fn js_cbrt(x: f32) -> f32 { return sign(x) * pow(abs(x), 1.0 / 3.0); }
fn js_expm1(x: f32) -> f32 { if (abs(x) < 1e-4) { return x + 0.5 * x * x; } return exp(x) - 1.0; }
fn js_log1p(x: f32) -> f32 { if (abs(x) < 1e-4) { return x - 0.5 * x * x; } return log(1.0 + x); }
fn js_hypot(a: f32, b: f32) -> f32 {
  let m = max(abs(a), abs(b));
  if (m == 0.0 || js_nan(m) || m > 3.0e38) { return m; }
  let x = a / m; let y = b / m;
  return m * sqrt(x * x + y * y);
}
`;

/** The WGSL f32 constant `v` (rounded to f32), NaN and ±∞ included. */
export function numToWgsl(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'js_NaN()';
  if (f === Number.POSITIVE_INFINITY) return 'js_Inf()';
  if (f === Number.NEGATIVE_INFINITY) return 'js_NInf()';
  // Non-integers go in as their f32 bit pattern: exactly the value the host rounds to, -0 included,
  // with no decimal round trip through the shader compiler.
  const bits = new Uint32Array(Float32Array.of(f).buffer)[0]!;
  if (Number.isInteger(f) && Math.abs(f) < 2 ** 24 && !Object.is(f, -0)) return f < 0 ? `(${f}.0)` : `${f}.0`;
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
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
  powPos: 'pow',
  min: 'min',
  max: 'max',
};

function nodeToWgsl(e: LoweredNode, names: ParamNames, r: (x: LoweredNode) => string): string {
  switch (e.kind) {
    case 'num':
      return numToWgsl(e.value);
    case 'param':
      return paramName(names, e.index);
    case 'neg':
      return `(-${r(e.arg)})`;
    case 'arith':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'select':
      return `select(${r(e.ifFalse)}, ${r(e.ifTrue)}, ${r(e.test)})`;
    case 'toNum':
      return `select(0.0, 1.0, ${r(e.arg)})`;
    case 'call': {
      const args = e.args.map(r);
      const [x, y] = args;
      if (e.fn === 'rem') return `(${x} - ${y} * trunc(${x} / ${y}))`;
      if (e.fn === 'copySign')
        return `bitcast<f32>((bitcast<u32>(${x}) & 0x7fffffffu) | (bitcast<u32>(${y}) & 0x80000000u))`;
      if (e.fn === 'hypot') return args.reduce((acc, a) => `js_hypot(${acc}, ${a})`);
      if (e.fn === 'fround') return `${x}`;
      if (e.fn === 'log10') return `(log2(${x}) * 0.30102999566)`;
      const f = DIRECT[e.fn];
      if (!f)
        throw new ArgumentError(`WebGPU: Math.${e.fn} has no WGSL translation; use the CPU backend for it`);
      return `${f}(${args.join(', ')})`;
    }
    case 'cmp':
      return `(${r(e.left)} ${e.op} ${r(e.right)})`;
    case 'isNaN':
      return `js_nan(${r(e.arg)})`;
    case 'and':
      return `(${r(e.left)} && ${r(e.right)})`;
    case 'or':
      return `(${r(e.left)} || ${r(e.right)})`;
    case 'not':
      return `(!${r(e.arg)})`;
  }
}

/**
 * The WGSL source of lowered expression `e`; parameter i reads `p${i}` (or names[i]). `decls`
 * binds its shared nodes with `let ${temp}0 = …;` statements, to put before the use of `value`.
 */
export function exprToWgsl(e: Num, names: ParamNames = 'p', temp = 't'): Printed {
  return printShared(
    e,
    temp,
    (name, value) => `let ${name} = ${value};`,
    (x, r) => nodeToWgsl(x, names, r),
  );
}
