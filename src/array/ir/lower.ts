/**
 * The lowering pass: parsed IR (JavaScript's operators, with its number rules implied) to lowered
 * IR (types.ts `Num`/`Bool`), where those rules are explicit nodes. Truthiness becomes "not 0 and
 * not NaN", comparisons become truth values turned into 1/0 only where a number is needed, `&&`,
 * `||` and `?:` become selects, and the NaN, sign and infinity rules of Math.min/max, `%`, `**` and
 * Math.round become selects around IEEE primitives. Code generators then print node for node.
 *
 * Operands a rule inspects twice (the left of `&&`, the arguments of Math.min) appear twice in the
 * result as the same object, so it is a DAG: code generators compute each shared node once
 * (shared-nodes.ts), which keeps nested rules (Math.pow of Math.pow …) linear in size.
 */
import { internNodes } from './shared-nodes.js';
import type { Bool, Expr, Lambda, Num } from './types.js';

const num = (value: number): Num => ({ kind: 'num', value });
const cmp = (op: Extract<Bool, { kind: 'cmp' }>['op'], left: Num, right: Num): Bool => ({
  kind: 'cmp',
  op,
  left,
  right,
});
const and = (left: Bool, right: Bool): Bool => ({ kind: 'and', left, right });
const or = (left: Bool, right: Bool): Bool => ({ kind: 'or', left, right });
const not = (arg: Bool): Bool => (arg.kind === 'not' ? arg.arg : { kind: 'not', arg });
const nanTest = (arg: Num): Bool => ({ kind: 'isNaN', arg });
const select = (test: Bool, ifTrue: Num, ifFalse: Num): Num => ({ kind: 'select', test, ifTrue, ifFalse });
const call = (fn: Extract<Num, { kind: 'call' }>['fn'], ...args: Num[]): Num => ({ kind: 'call', fn, args });
const arith = (op: Extract<Num, { kind: 'arith' }>['op'], left: Num, right: Num): Num => ({
  kind: 'arith',
  op,
  left,
  right,
});
const neg = (arg: Num): Num => ({ kind: 'neg', arg });
const isInf = (x: Num): Bool => cmp('==', call('abs', x), num(Number.POSITIVE_INFINITY));
const anyNaN = (xs: readonly Num[]): Bool => xs.map((x) => nanTest(x)).reduce(or);

/** JS truthiness of a number: neither 0 (either sign) nor NaN. */
export function truthy(x: Num): Bool {
  if (x.kind === 'toNum') return x.arg;
  return and(cmp('!=', x, num(0)), not(nanTest(x)));
}

/** JS `a % b`: the dividend's sign, NaN for an infinite dividend or a zero divisor, a for b = ±∞. */
function remainder(a: Num, b: Num): Num {
  const r = call('rem', a, b);
  const nan = or(or(nanTest(a), isInf(a)), or(nanTest(b), cmp('==', b, num(0))));
  // A zero remainder has the dividend's sign (-4 % 2 is -0, -0 % 2 is -0): a sign-bit operation,
  // since compilers that ignore signed zeros may replace a selected -0 constant by +0.
  const signed = select(cmp('==', r, num(0)), call('copySign', num(0), a), r);
  return select(nan, num(Number.NaN), select(isInf(b), a, signed));
}

/**
 * JS `a ** b` and Math.pow: b = ±0 gives 1 even for NaN a; (±1) ** ±∞ is NaN; a zero or infinite
 * base gives 0 or ∞ by the sign of b; a negative base (−0 and −∞ included) gives the magnitude,
 * negated for an odd integer b, and NaN for a non-integer b when it is finite.
 */
function power(a: Num, b: Num): Num {
  const nan = or(anyNaN([a, b]), and(cmp('==', call('abs', a), num(1)), isInf(b)));
  const positiveB = cmp('>', b, num(0));
  const inf = num(Number.POSITIVE_INFINITY);
  const magnitude = select(
    cmp('==', a, num(0)),
    select(positiveB, num(0), inf),
    select(isInf(a), select(positiveB, inf, num(0)), call('powPos', call('abs', a), b)),
  );
  // The sign bit, set for −0 too.
  const negative = cmp('<', call('copySign', num(1), a), num(0));
  // b is odd when b − 2·floor(b/2) is 1 (false for ±∞, which are even here, as in JS).
  const odd = cmp('==', arith('-', b, arith('*', num(2), call('floor', arith('/', b, num(2))))), num(1));
  const finiteNegative = and(cmp('<', a, num(0)), not(isInf(a)));
  const nonInteger = and(finiteNegative, cmp('!=', call('trunc', b), b));
  // Every NaN case is decided before the magnitude is needed, so a lazy target computes no
  // powPos for a result that is NaN.
  return select(
    cmp('==', b, num(0)),
    num(1),
    select(or(nan, nonInteger), num(Number.NaN), select(and(negative, odd), neg(magnitude), magnitude)),
  );
}

/** Math.min / Math.max: NaN when any argument is NaN, ±∞ with none. */
function extremum(fn: 'min' | 'max', args: readonly Num[]): Num {
  const [first, ...rest] = args;
  if (!first) return num(fn === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
  if (rest.length === 0) return first;
  return select(
    anyNaN(args),
    num(Number.NaN),
    rest.reduce((acc, x) => call(fn, acc, x), first),
  );
}

/** Math.round: halves go up (-2.5 → -2), and (-0.5, -0] gives -0; x − floor(x) is exact. */
function round(x: Num): Num {
  return select(cmp('>=', arith('-', x, call('floor', x)), num(0.5)), call('ceil', x), call('floor', x));
}

const TWO_32 = 2 ** 32;

// The shifts are written with few uses of each operand: each shared node costs a local in the
// generated code.

/**
 * An integer y wrapped mod 2^32 into [−2^31, 2^31); NaN for ±∞ and NaN. In-range values come
 * back as they are, since floor((y + 2^31) / 2^32) is 0 for them even where y + 2^31 rounds
 * (float32), so every int32 a float32 target can hold stays exact.
 */
function wrapInt32(y: Num): Num {
  const near = arith(
    '-',
    y,
    arith('*', num(TWO_32), call('floor', arith('/', arith('+', y, num(2 ** 31)), num(TWO_32)))),
  );
  // From 2^52 up, y + 2^31 can round (to even, on a tie) and the quotient above be off by one:
  // -2.420569852564336e25 >> 0 gave -2^32. There y is a multiple of 2^29 in either float type,
  // so y − 2^32·floor(y / 2^32) is exact, and so is taking 2^32 off a result of 2^31 or more.
  const r = arith('-', y, arith('*', num(TWO_32), call('floor', arith('/', y, num(TWO_32)))));
  const far = select(cmp('>=', r, num(2 ** 31)), arith('-', r, num(TWO_32)), r);
  return select(cmp('<', call('abs', y), num(2 ** 52)), near, far);
}

/** JS's shift results are +0, never −0, and ToInt32 maps NaN and ±∞ to 0 (which shifts to 0). */
function zeroForNaN(r: Num): Num {
  return select(or(nanTest(r), cmp('==', r, num(0))), num(0), r);
}

/**
 * 2^s for a shift count s in 0..31, as the product of 2^(2^k) over the set bits k of s (bit k is
 * floor(s / 2^k) mod 2): exact on every target, where pow or exp2 on a GPU need not be. A NaN
 * count sets no bit, so gives 2^0.
 */
function twoTo(s: Num): Num {
  let acc: Num = num(1);
  for (let k = 0; k < 5; k++) {
    const bit = call('rem', call('floor', arith('/', s, num(2 ** k))), num(2));
    acc = arith('*', acc, select(cmp('==', bit, num(1)), num(2 ** (2 ** k)), num(1)));
  }
  return acc;
}

/**
 * JS `a << b`, `a >> b`, `a >>> b` on numbers. The count is ToUint32(b) mod 32, which is
 * trunc(b) mod 32 (2^32 is a multiple of 32; NaN and ±∞ count 0); a constant count is folded. The
 * shifts are multiplications and floored divisions by 2^count, all exact, so targets without
 * integer types (tfjs, gpu.js, float32 WGSL) give JS's result for every int32 they can hold.
 * `>>>` of a negative i is floor(i / 2^s) + 2^(32−s), which avoids forming i + 2^32 (inexact in
 * float32).
 */
function shift(op: '<<' | '>>' | '>>>', a: Num, b: Num): Num {
  let p: Num;
  if (b.kind === 'num') p = num(2 ** ((Number.isFinite(b.value) ? b.value >>> 0 : 0) & 31));
  else {
    const t = call('trunc', b);
    const m = arith('-', t, arith('*', num(32), call('floor', arith('/', t, num(32)))));
    p = twoTo(m);
  }
  const i = wrapInt32(call('trunc', a));
  if (op === '<<') return zeroForNaN(wrapInt32(arith('*', i, p)));
  const q = call('floor', arith('/', i, p));
  if (op === '>>') return zeroForNaN(q);
  const big = p.kind === 'num' ? num(TWO_32 / p.value) : arith('/', num(TWO_32), p);
  return zeroForNaN(select(cmp('<', i, num(0)), arith('+', q, big), q));
}

// Parsed expressions are immutable and share subtrees (a `const` used twice, an inlined call), so
// each node is lowered once and the lowered tree shares them too.
const loweredNodes = new WeakMap<Expr, Num>();

function lowerShared(e: Expr): Num {
  let hit = loweredNodes.get(e);
  if (!hit) {
    hit = lowerNode(e);
    loweredNodes.set(e, hit);
  }
  return hit;
}

const loweredRoots = new WeakMap<Expr, Num>();

/**
 * The lowered form of parsed expression `e`, as a DAG in which structurally equal subexpressions
 * are one object. The input is interned first: a lambda shipped to a worker arrives as a tree
 * (msgpack copies a shared `const` at each use), and interning makes it a DAG again before lowering
 * repeats the copies. The output is interned too, so the NaN or infinity test a rule builds twice
 * is computed once.
 */
export function lowerExpr(e: Expr): Num {
  let hit = loweredRoots.get(e);
  if (!hit) {
    hit = internNodes(lowerShared(internNodes(e)));
    loweredRoots.set(e, hit);
  }
  return hit;
}

function lowerNode(e: Expr): Num {
  switch (e.kind) {
    case 'num':
    case 'param':
      return e;
    case 'neg':
      return neg(lowerShared(e.arg));
    case 'not':
      return { kind: 'toNum', arg: not(truthy(lowerShared(e.arg))) };
    case 'binary': {
      const a = lowerShared(e.left);
      const b = lowerShared(e.right);
      switch (e.op) {
        case '+':
        case '-':
        case '*':
        case '/':
          return arith(e.op, a, b);
        case '%':
          return remainder(a, b);
        case '**':
          return power(a, b);
        case '<<':
        case '>>':
        case '>>>':
          return shift(e.op, a, b);
        default:
          return { kind: 'toNum', arg: cmp(e.op, a, b) };
      }
    }
    case 'logical': {
      const a = lowerShared(e.left);
      const b = lowerShared(e.right);
      const t = truthy(a);
      // a && b is a when a is falsy; a falsy truth value is 0 (and a truthy one 1, for ||).
      if (a.kind === 'toNum') {
        if (b.kind === 'toNum') return { kind: 'toNum', arg: e.op === '&&' ? and(t, b.arg) : or(t, b.arg) };
        return e.op === '&&' ? select(t, b, num(0)) : select(t, num(1), b);
      }
      return e.op === '&&' ? select(t, b, a) : select(t, a, b);
    }
    case 'cond':
      return select(truthy(lowerShared(e.test)), lowerShared(e.ifTrue), lowerShared(e.ifFalse));
    case 'call': {
      const args = e.args.map(lowerShared);
      const [x = num(Number.NaN), y = num(Number.NaN)] = args;
      switch (e.fn) {
        case 'min':
        case 'max':
          return extremum(e.fn, args);
        case 'pow':
          return power(x, y);
        case 'round':
          return round(x);
        case 'hypot':
          return args.length === 0 ? num(0) : args.length === 1 ? call('abs', x) : call('hypot', ...args);
        default:
          return call(e.fn, ...args);
      }
    }
  }
}

const lowered = new Map<string, Num>();

/**
 * The lowered body of `l`, computed once per lambda source (the parse cache's key) and reused by
 * every code generator.
 */
export function lowerLambda(l: Lambda): Num {
  let hit = lowered.get(l.source);
  if (!hit) {
    hit = lowerExpr(l.body);
    lowered.set(l.source, hit);
  }
  return hit;
}
