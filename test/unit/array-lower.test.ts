// The lowering pass: plain data in, plain data out, one construct at a time; then random lambdas,
// lowered and printed as JS, against the same lambdas run by JS itself on special values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exprToJs } from '../../kernels/cpu/expr.js';
import { evalLowered } from '../../src/array/ir/eval.js';
import { lowerExpr, lowerLambda } from '../../src/array/ir/lower.js';
import { parseLambda } from '../../src/array/ir/parse.js';
import type { Bool, Num } from '../../src/array/ir/types.js';

const p = (index: number): Num => ({ kind: 'param', index });
const num = (value: number): Num => ({ kind: 'num', value });
const cmp = (op: Extract<Bool, { kind: 'cmp' }>['op'], left: Num, right: Num): Bool => ({
  kind: 'cmp',
  op,
  left,
  right,
});
const nan = (arg: Num): Bool => ({ kind: 'isNaN', arg });
const truthy = (x: Num): Bool => ({
  kind: 'and',
  left: cmp('!=', x, num(0)),
  right: { kind: 'not', arg: nan(x) },
});
// structuredClone: the lowered IR is plain data (JSON would turn the NaN and ±∞ constants into null).
const lower = (src: string): Num => structuredClone(lowerExpr(parseLambda(src).body));

describe('lowering (plain data in, plain data out)', () => {
  it('keeps arithmetic as it is', () => {
    expect(lower('(a, b) => 2 * a / b')).toEqual({
      kind: 'arith',
      op: '/',
      left: { kind: 'arith', op: '*', left: num(2), right: p(0) },
      right: p(1),
    });
    expect(lower('(a) => -a')).toEqual({ kind: 'neg', arg: p(0) });
  });

  it('turns a comparison into a truth value made 1/0', () => {
    expect(lower('(a, b) => a < b')).toEqual({ kind: 'toNum', arg: cmp('<', p(0), p(1)) });
    expect(lower('(a, b) => a === b')).toEqual({ kind: 'toNum', arg: cmp('==', p(0), p(1)) });
  });

  it('makes truthiness explicit in !, ?: and &&/||', () => {
    expect(lower('(a) => !a')).toEqual({ kind: 'toNum', arg: { kind: 'not', arg: truthy(p(0)) } });
    expect(lower('(a, b, c) => a ? b : c')).toEqual({
      kind: 'select',
      test: truthy(p(0)),
      ifTrue: p(1),
      ifFalse: p(2),
    });
    expect(lower('(a, b) => a && b')).toEqual({
      kind: 'select',
      test: truthy(p(0)),
      ifTrue: p(1),
      ifFalse: p(0),
    });
    expect(lower('(a, b) => a || b')).toEqual({
      kind: 'select',
      test: truthy(p(0)),
      ifTrue: p(0),
      ifFalse: p(1),
    });
  });

  it('uses a comparison directly as a test, and keeps logic on truth values as truth values', () => {
    expect(lower('(a, b) => a < b ? a : b')).toEqual({
      kind: 'select',
      test: cmp('<', p(0), p(1)),
      ifTrue: p(0),
      ifFalse: p(1),
    });
    expect(lower('(a, b) => a > 0 && b > 0')).toEqual({
      kind: 'toNum',
      arg: { kind: 'and', left: cmp('>', p(0), num(0)), right: cmp('>', p(1), num(0)) },
    });
    expect(lower('(a, b) => a > 0 || b')).toEqual({
      kind: 'select',
      test: cmp('>', p(0), num(0)),
      ifTrue: num(1),
      ifFalse: p(1),
    });
    expect(lower('(a) => !(a > 0)')).toEqual({
      kind: 'toNum',
      arg: { kind: 'not', arg: cmp('>', p(0), num(0)) },
    });
    expect(lower('(a) => !!(a > 0)')).toEqual({ kind: 'toNum', arg: cmp('>', p(0), num(0)) });
  });

  it('makes Math.min/max NaN-aware around the plain primitive', () => {
    expect(lower('(a, b) => Math.min(a, b)')).toEqual({
      kind: 'select',
      test: { kind: 'or', left: nan(p(0)), right: nan(p(1)) },
      ifTrue: num(Number.NaN),
      ifFalse: { kind: 'call', fn: 'min', args: [p(0), p(1)] },
    });
    expect(lower('(a, b, c) => Math.max(a, b, c)')).toMatchObject({
      kind: 'select',
      ifFalse: {
        kind: 'call',
        fn: 'max',
        args: [{ kind: 'call', fn: 'max', args: [p(0), p(1)] }, p(2)],
      },
    });
    expect(lower('(a) => Math.min(a)')).toEqual(p(0));
    // The parser refuses Math.max(); the pass still gives it JS's value.
    expect(lowerExpr({ kind: 'call', fn: 'max', args: [] })).toEqual(num(Number.NEGATIVE_INFINITY));
  });

  it('spells out % with the dividend sign and the NaN and infinity cases', () => {
    const l = lowerExpr(parseLambda('(a, b) => a % b').body);
    expect(l.kind).toBe('select');
    const text = JSON.stringify(l);
    expect(text).toContain('"fn":"rem"');
    expect(text).toContain('"kind":"isNaN"');
    expect(text).toContain('"fn":"copySign"');
    const { decls, value } = exprToJs(l);
    expect(`${decls} ${value}`).toContain('%');
  });

  it('spells out ** (and Math.pow) around powPos, and Math.round around floor/ceil', () => {
    const pow = JSON.stringify(lowerExpr(parseLambda('(a, b) => a ** b').body));
    expect(pow).toContain('"fn":"powPos"');
    expect(JSON.stringify(lowerExpr(parseLambda('(a, b) => Math.pow(a, b)').body))).toBe(pow);
    expect(lower('(a) => Math.round(a)')).toEqual({
      kind: 'select',
      test: cmp(
        '>=',
        { kind: 'arith', op: '-', left: p(0), right: { kind: 'call', fn: 'floor', args: [p(0)] } },
        num(0.5),
      ),
      ifTrue: { kind: 'call', fn: 'ceil', args: [p(0)] },
      ifFalse: { kind: 'call', fn: 'floor', args: [p(0)] },
    });
    expect(lower('(a) => Math.hypot(a)')).toEqual({ kind: 'call', fn: 'abs', args: [p(0)] });
    expect(lower('(a, b) => Math.hypot(a, b)')).toEqual({ kind: 'call', fn: 'hypot', args: [p(0), p(1)] });
  });

  it('is computed once per lambda source', () => {
    const l = parseLambda('(q) => q && 1');
    expect(lowerLambda(l)).toBe(lowerLambda(parseLambda('(q) => q && 1')));
  });
});

// Random lambdas over every construct, printed from the lowered IR, against JS running them. A
// comparison or ! is written +(…): the IR's truth values are the numbers 1 and 0 by design, where
// JS would keep a boolean (and `0 === false` is false in JS).
const leaf = fc.constantFrom('a', 'b', '0', '1', '2.5', '(-3)', '(-0)');
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(
        tie('e'),
        fc.constantFrom('+', '-', '*', '/', '%', '**', '<', '<=', '>', '>=', '===', '!=', '&&', '||'),
        tie('e'),
      )
      .map(([l, op, r]) => (/[<>=]/.test(op) ? `(+(${l} ${op} ${r}))` : `(${l} ${op} ${r})`)),
    tie('e').map((x) => `(- ${x})`),
    tie('e').map((x) => `(+!${x})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
    fc.tuple(fc.constantFrom('round', 'trunc', 'sign', 'abs'), tie('e')).map(([f, x]) => `Math.${f}(${x})`),
    fc
      .tuple(fc.constantFrom('min', 'max', 'pow', 'hypot'), tie('e'), tie('e'))
      .map(([f, x, y]) => `Math.${f}(${x}, ${y})`),
    fc
      .tuple(fc.constantFrom('min', 'max'), tie('e'), tie('e'), tie('e'))
      .map(([f, x, y, z]) => `Math.${f}(${x}, ${y}, ${z})`),
  ),
})).e;

const SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2.5,
  -2.5,
  3,
  -4,
  0.49999999999999994,
  Number.NaN,
  Infinity,
  -Infinity,
];

describe('lowered lambdas, printed as JS or evaluated, equal JS itself (property)', () => {
  it('bit for bit (sign of zero and NaN included) on special values', () => {
    fc.assert(
      fc.property(expr, (body) => {
        const src = `(a, b) => ${body}`;
        const direct = new Function(`return ${src};`)() as (a: number, b: number) => number;
        const l = lowerExpr(parseLambda(src).body);
        const { decls, value } = exprToJs(l);
        const lowered = new Function('p0', 'p1', `${decls} return ${value};`) as (
          a: number,
          b: number,
        ) => number;
        for (const a of SPECIAL)
          for (const b of SPECIAL) {
            const want = direct(a, b);
            const got = lowered(a, b);
            if (!Object.is(got, want)) throw new Error(`${src} at (${a}, ${b}): got ${got}, want ${want}`);
            // The host evaluator (partials, init) gives the same, node for node.
            const host = evalLowered(l, [a, b]);
            if (!Object.is(host, want))
              throw new Error(`${src} evaluated at (${a}, ${b}): got ${host}, want ${want}`);
          }
      }),
      { numRuns: 300 },
    );
  });
});
