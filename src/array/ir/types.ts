/**
 * The broadcast expression IR: what a lambda such as `(a, b) => 2 * a / b` becomes once parsed.
 * It is plain JSON (no functions, no cycles) so it can be shipped to workers and compiled to a JS
 * loop (kernels/cpu/broadcast.ts) or to WGSL by the GPU backends.
 *
 * Semantics are those of JS on doubles: comparisons give 1 or 0; `a && b` is `a` when `a` is 0 or
 * NaN and `b` otherwise; `a || b` the reverse; `c ? x : y` picks `x` when `c` is neither 0 nor NaN.
 */

/** Binary arithmetic, comparison and shift operators. */
export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**'
  | '<'
  | '<='
  | '>'
  | '>='
  | '=='
  | '!='
  // JS's shifts: both operands go through ToInt32/ToUint32 (NaN and ±∞ become 0), the count is
  // taken mod 32, and the result is an int32 (`<<`, `>>`) or a uint32 (`>>>`) as a number.
  | '<<'
  | '>>'
  | '>>>';

/** The Math functions a lambda may call, with their arity. */
export const MATH_FUNCTIONS = {
  abs: 1,
  sqrt: 1,
  cbrt: 1,
  exp: 1,
  expm1: 1,
  log: 1,
  log1p: 1,
  log2: 1,
  log10: 1,
  sin: 1,
  cos: 1,
  tan: 1,
  asin: 1,
  acos: 1,
  atan: 1,
  sinh: 1,
  cosh: 1,
  tanh: 1,
  asinh: 1,
  acosh: 1,
  atanh: 1,
  floor: 1,
  ceil: 1,
  round: 1,
  trunc: 1,
  sign: 1,
  fround: 1,
  atan2: 2,
  pow: 2,
  min: -1,
  max: -1,
  hypot: -1,
} as const;

/** Name of a supported Math function. */
export type MathFunction = keyof typeof MATH_FUNCTIONS;

/** The Math constants a lambda may use; they are folded to numbers when parsed. */
export const MATH_CONSTANTS = {
  PI: Math.PI,
  E: Math.E,
  LN2: Math.LN2,
  LN10: Math.LN10,
  LOG2E: Math.LOG2E,
  LOG10E: Math.LOG10E,
  SQRT2: Math.SQRT2,
  SQRT1_2: Math.SQRT1_2,
} as const;

/** One node of the expression tree. */
export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'neg'; readonly arg: Expr }
  | { readonly kind: 'not'; readonly arg: Expr }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'logical'; readonly op: '&&' | '||'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'cond'; readonly test: Expr; readonly ifTrue: Expr; readonly ifFalse: Expr }
  | { readonly kind: 'call'; readonly fn: MathFunction; readonly args: readonly Expr[] };

/** A parsed lambda: its parameter names, its body, and the source it came from (the cache key). */
export interface Lambda {
  readonly params: readonly string[];
  readonly body: Expr;
  readonly source: string;
}

/**
 * The lowered IR (lower.ts): the same expression with JavaScript's number rules spelled out, so a
 * code generator prints each node as one operation of its target. Numbers (`Num`) and truth values
 * (`Bool`) are separate: a comparison is a Bool, `toNum` turns a Bool into 1 or 0, and `select`
 * picks by a Bool. Every `PrimFn` means the IEEE/libm function of that name on the domain noted.
 */
export type Num =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'param'; readonly index: number }
  | { readonly kind: 'neg'; readonly arg: Num }
  | { readonly kind: 'arith'; readonly op: ArithOp; readonly left: Num; readonly right: Num }
  | { readonly kind: 'select'; readonly test: Bool; readonly ifTrue: Num; readonly ifFalse: Num }
  | { readonly kind: 'toNum'; readonly arg: Bool }
  | { readonly kind: 'call'; readonly fn: PrimFn; readonly args: readonly Num[] };

/** A truth value: IEEE comparisons (false when an operand is NaN, except `!=`), NaN test, logic. */
export type Bool =
  | { readonly kind: 'cmp'; readonly op: CmpOp; readonly left: Num; readonly right: Num }
  | { readonly kind: 'isNaN'; readonly arg: Num }
  | { readonly kind: 'and' | 'or'; readonly left: Bool; readonly right: Bool }
  | { readonly kind: 'not'; readonly arg: Bool };

/** IEEE arithmetic. */
export type ArithOp = '+' | '-' | '*' | '/';

/** IEEE comparisons. */
export type CmpOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * The primitive functions of the lowered IR. Each has its IEEE/libm meaning; where JS adds rules
 * (NaN in min/max, `%`, `**`, Math.round), lower.ts expresses them with selects around the
 * primitive, which is then only used where those rules do not apply:
 * - `min`, `max`: two non-NaN operands;
 * - `rem`: a − b·trunc(a/b) for finite a and finite nonzero b (C's fmod);
 * - `powPos`: pow(a, b) for finite a > 0, b ≠ 0, neither NaN, and not a = 1 with b = ±∞;
 * - `hypot`: two or more operands (libm hypot: Infinity wins over NaN);
 * - `copySign`: IEEE copySign(x, y), |x| with the sign bit of y (so -0 is told from 0).
 */
export type PrimFn =
  | Exclude<MathFunction, 'min' | 'max' | 'pow' | 'round' | 'hypot'>
  | 'min'
  | 'max'
  | 'rem'
  | 'powPos'
  | 'hypot'
  | 'copySign';
