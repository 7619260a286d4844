// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { array, broadcast, LambdaSyntaxError, lambdaOf, parseLambda } from '../../src/array/index.js';

describe('broadcast IR parser', () => {
  it('parses the manual lambda into JSON-serialisable IR', () => {
    const l = parseLambda('(a, b) => 2 * a / b');
    expect(l.params).toEqual(['a', 'b']);
    expect(JSON.parse(JSON.stringify(l.body))).toEqual({
      kind: 'binary',
      op: '/',
      left: { kind: 'binary', op: '*', left: { kind: 'num', value: 2 }, right: { kind: 'param', index: 0 } },
      right: { kind: 'param', index: 1 },
    });
  });

  it('folds Math constants and accepts the supported constructs', () => {
    const l = parseLambda('(x, y) => (-x) ** 2 >= Math.PI ? Math.max(x, y, 1) : !(x && y || x % 2 === 1)');
    expect(JSON.stringify(l.body)).toContain(String(Math.PI));
    expect(JSON.stringify(l.body)).toContain('"fn":"max"');
    expect(parseLambda('(x) => { return x + 1; }').body.kind).toBe('binary');
  });

  const rejects: [string, RegExp][] = [
    ['(a) => a + k', /free variable k at line 1, column 12/],
    ['(a) => foo(a)', /call to foo at line 1, column 8/],
    ['(a) => Math.random(a)', /call to Math\.random/],
    ['(a) => { let s = 0; return s; }', /let declaration at line 1, column 10/],
    ['(a) => a.length', /property access/],
    ['(a) => "x"', /literal "x"/],
    ['(a) => a & 1', /operator &/],
    ['(a) => a++', /update \+\+ to a/],
    ['function* f(a) { return a }', /generator function/],
    ['(...a) => a', /parameter rest element/],
    ['(a) => a +', /syntax/],
  ];
  for (const [src, msg] of rejects)
    it(`rejects ${src}`, () => {
      expect(() => parseLambda(src)).toThrow(LambdaSyntaxError);
      expect(() => parseLambda(src)).toThrow(msg);
    });

  it('reports the position of the construct on later lines', () => {
    try {
      parseLambda('(a) =>\n  a + other');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LambdaSyntaxError);
      expect((e as LambdaSyntaxError).construct).toBe('free variable other');
      expect((e as LambdaSyntaxError).position).toBe(13);
      expect((e as Error).message).toMatch(/line 2, column 7/);
    }
  });

  it('caches by source text', () => {
    const f = (q: number) => q * 3 + 0.25;
    expect(lambdaOf(f)).toBe(lambdaOf(f));
    expect(lambdaOf(f)).toBe(lambdaOf(f.toString()));
  });

  it('rejects closures over outer variables when broadcasting', async () => {
    const k = 3;
    await expect(broadcast((a: number) => a * k, array([1, 2]))).rejects.toThrow(/free variable k/);
  });

  it('follows JS number semantics for comparisons and logic', async () => {
    const x = array([0, 1, 2, Number.NaN]);
    const got = await broadcast('(a) => (a > 1) + (a && 5) + (a || 7) + (!a ? 10 : 0)', x);
    const want = [0, 1, 2, Number.NaN].map((a) => Number(a > 1) + (a && 5) + (a || 7) + (!a ? 10 : 0));
    expect(Array.from(got.data)).toEqual(want);
  });
});
