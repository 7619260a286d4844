// The lambda language beyond one expression: block bodies of const declarations and one return,
// the shift operators, calls to functions registered with kernel(), and what stays outside (each a
// LambdaSyntaxError naming the construct, line and column).
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exprToJs } from '../../kernels/cpu/expr.js';
import { useAccelerators } from '../../kernels/wasm/index.js';
import { startThreads } from '../../kernels/wasm/pool.js';
import {
  array,
  broadcast,
  broadcastInto,
  kernel,
  LambdaSyntaxError,
  map,
  parseLambda,
} from '../../src/array/index.js';
import { evalLowered } from '../../src/array/ir/eval.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import { MAX_INLINED_NODES } from '../../src/array/ir/parse.js';
import { removeKernelVariant } from '../../src/array/registry.js';

/** The lowered lambda run by the host evaluator and by the JS code generator's output. */
function both(src: string): [(...xs: number[]) => number, (...xs: number[]) => number] {
  const l = parseLambda(src);
  const lowered = lowerLambda(l);
  const names = l.params.map((_, i) => `p${i}`);
  const { decls, value } = exprToJs(lowered);
  const js = new Function(...names, `${decls} return ${value};`) as (...xs: number[]) => number;
  return [(...xs) => evalLowered(lowered, xs), js];
}

const sq = kernel(function sq(x: number) {
  return x * x;
});
const hyp = kernel((x: number, y: number) => {
  const s = sq(x) + sq(y);
  return Math.sqrt(s);
}, 'hyp');

describe('block bodies', () => {
  it('substitute each const, so the IR is that of the one expression', () => {
    const block = parseLambda('(x, y) => { const t = x * y; return t > 0 ? t : -t; }');
    const inline = parseLambda('(x, y) => x * y > 0 ? x * y : -(x * y)');
    expect(JSON.stringify(block.body)).toBe(JSON.stringify(inline.body));
    // Later constants see earlier ones; several declarators in one const; empty statements.
    const chain = parseLambda('(a) => { const b = a + 1, c = b * 2;; const d = c - b; return d; }');
    expect(JSON.stringify(chain.body)).toBe(JSON.stringify(parseLambda('(a) => (a + 1) * 2 - (a + 1)').body));
  });

  it('run the same on the CPU as the lambda run by JS', async () => {
    const f = (x: number, y: number) => {
      const t = x * y;
      const u = t - 1;
      return t > 0 ? Math.sqrt(t) + u : -t;
    };
    const a = array([-2, -0.5, 0, 1, 3]);
    const b = array([1, -4, 2, 0.5, 3]);
    const got = await broadcast(f, a, b);
    expect(Array.from(got.data)).toEqual(Array.from(a.data, (x, i) => f(x, b.data[i]!)));
  });

  it('accept a plain function expression', () => {
    expect(parseLambda('function (x) { const y = x + 1; return y * y; }').params).toEqual(['x']);
  });

  it('refuse an expression that inlining would blow up', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `const v${i + 1} = v${i} + v${i};`);
    const src = `(v0) => { ${lines.join(' ')} return v20; }`;
    expect(() => parseLambda(src)).toThrow(LambdaSyntaxError);
    expect(() => parseLambda(src)).toThrow(
      new RegExp(`nodes once constants and calls are inlined.*limit is ${MAX_INLINED_NODES}`),
    );
  });
});

describe('shifts << >> >>>', () => {
  const special = [
    0,
    -0,
    1,
    -1,
    0.5,
    -0.5,
    2.9,
    -2.9,
    31,
    32,
    33,
    -31,
    -32,
    2 ** 31,
    -(2 ** 31),
    2 ** 31 - 1,
    2 ** 32,
    2 ** 32 + 7,
    -(2 ** 32) - 7,
    2 ** 53,
    -(2 ** 60),
    1e300,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ];
  for (const op of ['<<', '>>', '>>>'] as const)
    it(`${op} gives JS's value for every number, count and sign of zero`, () => {
      const js = new Function('a', 'b', `return a ${op} b;`) as (a: number, b: number) => number;
      const [ev, printed] = both(`(a, b) => a ${op} b`);
      const check = (a: number, b: number) => {
        const want = js(a, b);
        expect(Object.is(ev(a, b), want), `eval ${a} ${op} ${b}`).toBe(true);
        expect(Object.is(printed(a, b), want), `printed ${a} ${op} ${b}`).toBe(true);
      };
      for (const a of special) for (const b of special) check(a, b);
      // Integers from 2^52 up, where y + 2^31 rounds on a tie (the first seen by a random run).
      const big = [
        -2.420569852564336e25,
        2 ** 53 + 2 ** 31,
        -(2 ** 53) - 2 ** 31,
        2 ** 55 + 3 * 2 ** 31,
        2 ** 52,
        1e300,
      ];
      for (const a of big) for (const b of [0, 1, 31, 33]) for (const s of [1, -1]) check(s * a, b);
      fc.assert(
        fc.property(
          fc.oneof(fc.double(), fc.integer({ min: -(2 ** 31), max: 2 ** 32 })),
          fc.integer({ min: -40, max: 70 }),
          (a, b) => check(a, b),
        ),
        { numRuns: 300 },
      );
    });

  it('on int32 arrays, as JS on the same integers', async () => {
    const vals = [-7, -1, 0, 1, 5, 2 ** 30, -(2 ** 31), 2 ** 31 - 1, 123456789];
    const counts = [0, 1, 3, 31, 32, -1, 4, 2, 17];
    const a = array(vals, { dtype: 'int32' });
    const c = array(counts, { dtype: 'int32' });
    for (const [src, f] of [
      ['(x, s) => x << s', (x: number, s: number) => x << s],
      ['(x, s) => x >> s', (x: number, s: number) => x >> s],
      // >>> is a uint32: stored in an int32 array it wraps as JS's Int32Array does.
      ['(x, s) => x >>> s', (x: number, s: number) => x >>> s],
    ] as const) {
      const got = await broadcast(src, a, c);
      const want = new Float64Array(vals.map((x, i) => f(x, counts[i]!)));
      expect(Array.from(got.data), src).toEqual(Array.from(want));
      const into = array(new Array(vals.length).fill(0), { dtype: 'int32' });
      await broadcastInto(into, src, a, c);
      expect(Array.from(into.data), `${src} into int32`).toEqual(Array.from(new Int32Array(want)));
    }
  });
});

describe('kernel(): registered pure functions', () => {
  it('inlines a registered call with its arguments in place of its parameters', () => {
    const called = parseLambda('(a, b) => hyp(a + 1, b)');
    const inline = parseLambda('(a, b) => { const s = (a + 1) * (a + 1) + b * b; return Math.sqrt(s); }');
    expect(JSON.stringify(called.body)).toBe(JSON.stringify(inline.body));
    expect(hyp(3, 4)).toBe(5); // still a plain function
  });

  it('runs in one broadcast like the lambda run by JS', async () => {
    const f = (x: number, y: number) => hyp(x, y) + sq(x - y);
    const a = array([1, 2, 3, -4]);
    const b = array([0.5, -2, 4, 3]);
    expect(Array.from((await broadcast(f, a, b)).data)).toEqual(
      Array.from(a.data, (x, i) => f(x, b.data[i]!)),
    );
  });

  it('refuses recursion, unknown names, bad arity, free variables and a changed body', () => {
    expect(() =>
      kernel(function fact(n: number): number {
        return n <= 1 ? 1 : n * fact(n - 1);
      }),
    ).toThrow(/recursive call to fact at line \d+, column \d+.*fact → fact/);
    expect(() => parseLambda('(a) => nope(a)')).toThrow(
      /call to nope at line 1, column 8.*register nope with kernel\(nope\)/,
    );
    expect(() => parseLambda('(a) => sq(a, a)')).toThrow(/call to sq with 2 arguments \(expected 1\)/);
    expect(() => parseLambda('(sq) => sq(2)')).toThrow(/call to sq .*a number here, not a function/);
    const k = 2;
    expect(() => kernel((x: number) => x * k, 'timesK')).toThrow(
      /kernel\(timesK\): broadcast lambda: unsupported free variable k/,
    );
    expect(() => kernel((x: number) => x + 1)).toThrow(/needs a name/);
    expect(() => kernel((x: number) => x + 1, 'sq')).toThrow(
      /sq is already registered with a different body/,
    );
    expect(kernel(sq)).toBe(sq); // the same body again is fine
    expect(() => kernel(3 as unknown as () => number)).toThrow(/expected a function/);
  });

  it('reports an error inside a registered body at its own line and column', () => {
    const src = 'function withLoop(x) {\n  for (;;) {}\n  return x;\n}';
    const withLoop = new Function(`return ${src}`)() as (x: number) => number;
    expect(() => kernel(withLoop)).toThrow(
      /kernel\(withLoop\): broadcast lambda: unsupported for loop at line 2, column 3/,
    );
    expect(() => parseLambda('(a) =>\n  sq(a) + hyp(a, a.b)')).toThrow(
      /property access at line 2, column 18/,
    );
  });
});

describe('map over several arrays', () => {
  it('is map((a, b, c) => …, A, B, C) for arrays of one shape, and refuses others with both shapes', async () => {
    const [a, b, c] = [array([1, 2, 3]), array([4, 5, 6]), array([7, 8, 9])];
    expect(Array.from((await map((x: number, y: number, z: number) => x * y + z, a, b, c)).data)).toEqual([
      11, 18, 27,
    ]);
    await expect(map((x: number, y: number) => x + y, a, array([[1, 2, 3]]))).rejects.toThrow(
      /argument 1 has shape \[3\] and argument 2 has shape \[1,3\]/,
    );
    await expect(map((x: number) => x, a, 3 as never)).rejects.toThrow(/map: argument 2 must be an array/);
  });
});

describe('what stays outside the subset', () => {
  const rejects: [string, RegExp][] = [
    ['(a) => { let s = a; return s; }', /let declaration at line 1, column 10.*declare names with const/],
    ['(a) => { var s = a; return s; }', /var declaration at line 1, column 10/],
    ['(a) => { for (;;) {} return a; }', /for loop at line 1, column 10/],
    ['(a) => { while (a) {} return a; }', /while loop at line 1, column 10/],
    ['(a) => { a = 2; return a; }', /assignment to a at line 1, column 10/],
    ['(a) => { total += a; return a; }', /assignment to total at line 1, column 10/],
    ['(a) => { a++; return a; }', /update \+\+ to a at line 1, column 10/],
    [
      '(a) => { if (a) return 1; return 0; }',
      /statement if statement at line 1, column 10.*use \?: for choices/,
    ],
    ['(a) => { return a; const b = 1; }', /variable declaration after return at line 1, column 20/],
    ['(a) => { const b = a; }', /block body without a return.*end the body with return/],
    ['(a) => { return; }', /return without a value at line 1, column 10/],
    ['(a) => { const [b] = [a]; return b; }', /destructuring array pattern/],
    ['function (a) { return this.x + a; }', /unsupported this at line 1, column 23/],
    ['(a) => { const b = c; const c = a; return b; }', /free variable c at line 1, column 20/],
    ['(a) => { const f = (x) => x; return f(a); }', /arrow function expression at line 1, column 20/],
    ['function* (a) { return a; }', /generator function/],
    ['async (a) => a', /async function/],
    ['(a) => a & 1', /operator &/],
    ['(a) => {\n  const b = a;\n  b = 3;\n  return b;\n}', /assignment to b at line 3, column 3/],
  ];
  for (const [src, msg] of rejects)
    it(`rejects ${JSON.stringify(src)}`, () => {
      expect(() => parseLambda(src)).toThrow(LambdaSyntaxError);
      expect(() => parseLambda(src)).toThrow(msg);
    });
});

describe('the WASM broadcast compiler on the new syntax', () => {
  it('matches the JS loop bit for bit', async () => {
    await startThreads();
    const n = (1 << 17) + 3; // just over the 1 MiB above which arrays live in the shared heap, where WASM runs
    const a = array(Array.from({ length: n }, (_, i) => ((i * 7919) % 4001) - 2000 + (i % 3) / 4));
    const b = array(Array.from({ length: n }, (_, i) => (i % 70) - 20));
    const lambdas = [
      '(x, s) => x << s',
      '(x, s) => x >> s',
      '(x, s) => x >>> s',
      '(x, s) => { const t = x * s; return t > 0 ? t : -t; }',
      '(x, s) => hyp(x, s) + sq(x >> 2)',
    ];
    try {
      for (const src of lambdas) {
        useAccelerators(true);
        const fast = await broadcast(src, a, b);
        removeKernelVariant('broadcast', 'cpu', 'wasm');
        const slow = await broadcast(src, a, b);
        for (let i = 0; i < n; i++)
          if (!Object.is(fast.data[i], slow.data[i]))
            throw new Error(`${src} at ${i}: wasm ${fast.data[i]}, js ${slow.data[i]}`);
      }
    } finally {
      useAccelerators(true);
    }
  });
});
