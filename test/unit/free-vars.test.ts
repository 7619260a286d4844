import { describe, expect, it } from 'vitest';
import { freeVariables, parseFunction } from '../../src/remote/free-vars.js';

const free = (src: string) => [...freeVariables(parseFunction(src)).keys()];

describe('free variables of a shipped function', () => {
  it('finds captured names and ignores parameters and locals', () => {
    expect(free('(a, b) => a + b + c')).toEqual(['c']);
    expect(free('(x) => { const y = x * k; let z = y; return z; }')).toEqual(['k']);
    expect(free('function f(n) { return n <= 1 ? 1 : n * f(n - 1); }')).toEqual([]);
    expect(free('async (p) => { await fetchFrom(p, () => q); }')).toEqual(['fetchFrom', 'q']);
  });

  it('handles destructuring, defaults, rest and nested functions', () => {
    expect(free('({ a, b: [c, ...d] }, e = dflt) => a + c + d.length + e')).toEqual(['dflt']);
    expect(free('(xs) => xs.map((x) => x * scale)')).toEqual(['scale']);
    expect(free('() => { function inner() { return hoisted; } var hoisted = 1; return inner(); }')).toEqual(
      [],
    );
  });

  it('does not count property names, labels or catch parameters', () => {
    expect(free('(o) => o.foo + o["bar"] + ({ baz: 1 }).baz')).toEqual([]);
    expect(free('(o) => ({ [key]: 1, short })')).toEqual(['key', 'short']);
    expect(free('() => { outer: for (let i = 0; i < 3; i++) { continue outer; } }')).toEqual([]);
    expect(free('() => { try { x(); } catch (e) { return e; } }')).toEqual(['x']);
    expect(free('() => { for (const k of list) use(k); }')).toEqual(['list', 'use']);
  });

  it('finds captured names in the defaults of every binding pattern', () => {
    const forms = [
      '(o) => { const { n = limit } = o; return n; }',
      '(o) => { let [n = limit] = o; return n; }',
      '(o) => { const { a: { b: [n = limit] } } = o; return n; }',
      '(o) => { for (const { n = limit } of o) return n; }',
      '(o) => { try { f(o); } catch ({ n = limit }) { return n; } }',
      '({ n = limit }) => n',
      '([n = limit]) => n',
      'function f({ a: [n = limit] } = {}) { return n; }',
      '(o) => { let n; ({ n = limit } = o); return n; }',
      '(o) => { const { [limit]: n } = o; return n; }',
    ];
    for (const src of forms)
      expect(
        free(src).filter((n) => n !== 'f'),
        src,
      ).toEqual(['limit']);
  });

  it('scopes declarations in switch cases to the switch', () => {
    expect(free('(o) => { switch (o) { case 1: const n = 2; return n; default: return n + m; } }')).toEqual([
      'm',
    ]);
  });

  it('refuses source that is not a function (a class)', () => {
    expect(() => parseFunction('class A {}')).toThrow(/expected a function's source, got a ClassExpression/);
  });

  it('parses methods and classes', () => {
    expect(free('compute(x) { return x + offset; }')).toEqual(['offset']);
    expect(free('() => { class A extends Base { m() { return A; } } return new A(); }')).toEqual(['Base']);
  });
});
