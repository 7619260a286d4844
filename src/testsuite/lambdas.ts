/**
 * The broadcast-lambda language on every array type: block bodies with `const`, shifts, calls to
 * functions registered with `kernel()`, n-ary `map`, and `broadcastInto` whose arguments hold no
 * array of the destination's kind; plus GPUArrays.jl's test/testsuite/broadcasting.jl testsets
 * that map (named after testset and line; test/suite/UNMAPPED.md lists the rest).
 * Expected values come from calling the same lambda as plain JS, element by element.
 */
import assert from 'node:assert/strict';
import {
  type AnyArray,
  array,
  broadcast,
  broadcastInto,
  type DType,
  fill,
  kernel,
  map,
  mapreduce,
  type NDArray,
  rand,
  zeros,
} from '../array/index.js';

type Fn = (...xs: number[]) => number;

/** What the suite's runner gives these cases (see runArraySuite in index.ts). */
export interface LambdaSuiteContext {
  /** Defines one case (honouring the backend's skip list). */
  test(name: string, body: () => Promise<void>): void;
  /** Moves a host array onto the backend under test. */
  up(a: NDArray): Promise<AnyArray>;
  /** Brings a result back, checking it is on the backend under test. */
  down(x: AnyArray): Promise<NDArray>;
  /** The dtypes to run. */
  dtypes: readonly DType[];
  /** The relative tolerance of a dtype. */
  rtolOf(dt: DType): number;
  /** The reference broadcast (plain JS per element, NumPy's shape rule). */
  reference(fn: Fn, args: (NDArray | number)[]): { shape: number[]; data: number[] };
}

// Registered once, at import, on the caller only: DArray workers receive the inlined IR.
const sq = kernel(function sq(x: number) {
  return x * x;
});
const muladd = kernel(function muladd(a: number, b: number, c: number) {
  return a * b + c;
});
const norm2 = kernel((x: number, y: number) => {
  const s = sq(x) + sq(y);
  return Math.sqrt(s);
}, 'norm2');
// GPUArrays' test_kernel with its loop of five passes unrolled (loops are outside the subset):
// each pass adds b to c, then sets c to a * 2.
const testKernel = kernel(function testKernel(a: number, b: number) {
  const c0 = a;
  const c1 = a * 2 + 0 * (c0 + b);
  const c2 = a * 2 + 0 * (c1 + b);
  const c3 = a * 2 + 0 * (c2 + b);
  const c4 = a * 2 + 0 * (c3 + b);
  return a * 2 + 0 * (c4 + b);
});

function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: number of elements`);
  let scale = 1e-300;
  for (let i = 0; i < want.length; i++)
    if (Number.isFinite(want[i]!)) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${what}: element ${i}: got ${g}, want NaN`);
    else if (!Number.isFinite(w)) assert.equal(g, w, `${what}: element ${i}`);
    else if (!(Math.abs(g - w) <= rtol * scale))
      throw new Error(`${what}: element ${i}: got ${g}, want ${w} (rtol ${rtol})`);
  }
}

/** Defines the lambda-language cases for one array type. */
export function lambdaCases(ctx: LambdaSuiteContext): void {
  const { test, up, down, reference } = ctx;
  for (const dt of ctx.dtypes) {
    const rtol = ctx.rtolOf(dt);
    const r = (shape: number[], seed: number) => rand(shape, { dtype: dt, seed });
    /** broadcast(fn, ...args) on the backend against the reference, shape included. */
    const check = async (fn: Fn, args: (NDArray | number)[], what: string) => {
      const got = await down(
        await broadcast(fn, ...(await Promise.all(args.map((a) => (typeof a === 'number' ? a : up(a)))))),
      );
      const want = reference(fn, args);
      assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
      close(got.data, want.data, rtol, what);
    };
    /** broadcastInto(dest, fn, ...args) on the backend: resolves to dest, holding the reference. */
    const checkInto = async (dest: NDArray, fn: Fn, args: (NDArray | number)[], what: string) => {
      const d = await up(dest);
      const ups = await Promise.all(args.map((a) => (typeof a === 'number' ? a : up(a))));
      assert.equal(await broadcastInto(d, fn, ...ups), d, `${what}: resolves to the destination`);
      const got = await down(d);
      // The destination joins as an ignored first argument, so the reference has its shape.
      const want = reference((_, ...xs) => fn(...xs), [dest, ...args]);
      close(got.data, want.data, rtol, what);
    };

    test(`lambda block body with const and return ${dt}`, async () => {
      const a = array([-3, -0.5, 0, 0.25, 2, 7], { dtype: dt });
      const b = array([2, -4, 5, -1, 0.5, -3], { dtype: dt });
      await check(
        (x, y) => {
          const t = x * y;
          return t > 0 ? t : -t;
        },
        [a, b],
        'abs of product',
      );
      await check(
        (x, y) => {
          const s = x + y,
            d = x - y;
          const m = s * d;
          return m >= 0 && x !== 0 ? Math.sqrt(m) : s < d ? -1 : 1;
        },
        [a, b],
        'two declarators and nested ternaries',
      );
    });

    test(`lambda shifts << >> >>> convert as JS ${dt}`, async () => {
      const vals = [-7, -1, 0, 1, 5, 100, 1000, -1000, 3.7, -2.5, -0.5, 65535];
      const counts = [0, 1, 3, 31, 32, 33, -1, 5, 2.9, -0.5, 16, 30];
      if (dt === 'float64') {
        vals.push(2 ** 33 + 5, -(2 ** 35) - 9, Number.NaN, Number.POSITIVE_INFINITY);
        counts.push(4, 7, 2, 1);
      }
      const a = array(vals, { dtype: dt });
      const c = array(counts, { dtype: dt });
      await check((x, s) => x << s, [a, c], '<<');
      await check((x, s) => x >> s, [a, c], '>>');
      await check((x, s) => x >>> s, [a, c], '>>>');
      await check((x) => (x << 2) + (x >> 1) - (x >>> 28), [a], 'fixed counts');
    });

    test(`lambda calls functions registered with kernel() ${dt}`, async () => {
      const a = r([3, 5], 31);
      const b = r([3, 5], 32);
      await check((x, y) => norm2(x, y) + sq(x - 1), [a, b], 'nested registered calls');
      await check((x, y) => muladd(sq(x), 3, y), [a, b], 'a call as an argument');
      await check(
        (x) => {
          const q = sq(x + 1);
          return q > 1.5 ? sq(q) : q;
        },
        [a],
        'registered calls in a block body',
      );
      const m = await mapreduce(
        (x: number) => sq(x) + 1,
        (s: number, v: number) => s + v,
        await up(a),
      );
      const want = Array.from(a.data).reduce((s, v) => s + sq(v) + 1, 0);
      assert.ok(Math.abs(m - want) <= rtol * 10 * want, `mapreduce with a registered call: ${m} vs ${want}`);
    });

    // Lowering refers to each operand of `**` several times as one object, so nested powers are a
    // DAG whose tree grows exponentially with depth: each backend must compute a shared node once
    // (the first lambda is the counterexample fast-check found when the WASM compiler did not).
    test(`lambda nested powers compile each shared node once ${dt}`, async () => {
      const special = [
        0,
        -0,
        1,
        -1,
        -2,
        2,
        3,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ];
      const a = array([...special, 0.1, 0.5, 0.7, 0.9, 1.2, 1.4], { dtype: dt });
      await check((a) => (a ? a : a ** (a ** (a ** a ? a : a))), [a], 'pow in a falsy branch');
      await check((a) => a ** (a ** (a ** (a ** (a ** (a ** (a ** (a ** a))))))), [a], 'eight nested powers');
      // Each const used twice: a DAG already when parsed, which a DArray ships to its workers as a tree.
      await check(
        (x) => {
          const b = x ** 0.5 + x;
          const c = b ** 0.5 - b / 4;
          const d = c ** 0.5 + c / 4;
          const e = d ** 0.5 - d / 4;
          const f = e ** 0.5 + e / 4;
          const g = f ** 0.5 - f / 4;
          const h = g ** 0.5 + g / 4;
          return h ** 0.5 - h / 4;
        },
        [a],
        'a chain of consts used twice',
      );
      const pos = array([0.1, 0.5, 0.7, 0.9, 1, 1.2, 1.4], { dtype: dt });
      const tower = (x: number) => x ** (x ** (x ** (x ** (x ** (x ** (x ** (x ** x)))))));
      const m = await mapreduce(tower, 'sum', await up(pos));
      const want = Array.from(pos.data).reduce((s, v) => s + tower(v), 0);
      assert.ok(Math.abs(m - want) <= rtol * 10 * want, `mapreduce of eight nested powers: ${m} vs ${want}`);
    });

    test(`map over several arrays ${dt}`, async () => {
      const [a, b, c] = [r([4, 3], 41), r([4, 3], 42), r([4, 3], 43)];
      const got = await down(
        await map((x: number, y: number, z: number) => x * y + z, await up(a), await up(b), await up(c)),
      );
      close(got.data, reference((x, y, z) => x * y + z, [a, b, c]).data, rtol, 'map with three arrays');
      await assert.rejects(
        map((x: number, y: number) => x + y, await up(a), await up(r([3], 44))),
        /map: every array must have the same shape/,
      );
    });

    test(`broadcastInto with no argument of the destination's kind ${dt}`, async () => {
      await checkInto(r([5, 2], 51), () => 0, [], 'fill! style: () => 0');
      await checkInto(r([5, 2], 52), (v) => v, [2.5], 'D .= 2.5');
      await checkInto(r([5, 2], 53), (v) => v + 1, [fill([5, 2], 1, dt)], 'D .= ones .+ 1 from a host array');
      await checkInto(r([5, 2], 54), (v, s) => v * s, [r([2], 55), 3], 'a host row broadcast into D');
    });

    // GPUArrays.jl test/testsuite/broadcasting.jl, broadcasting(): "broadcast $ET".
    const gpuArrays = (line: number, name: string) => `GPUArrays broadcasting.jl:${line} "${name}" ${dt}`;

    test(gpuArrays(56, 'Number'), async () => {
      await checkInto(r([10], 56), (v) => v, [0.375], 'A .= x');
    });

    test(gpuArrays(73, 'issue #27'), async () => {
      await check((x, y) => x + y, [r([4, 5, 3], 73), r([1, 5, 3], 74)], '[4,5,3] .+ [1,5,3]');
      await check((x, y) => x + y, [r([4, 5, 3], 75), r([1, 5, 1], 76)], '[4,5,3] .+ [1,5,1]');
    });

    test(gpuArrays(79, 'issue #22'), async () => {
      await checkInto(
        r([8, 8], 79),
        (a1, a2) => a1 + a2 * 2,
        [r([8, 8], 80), r([8, 8], 81)],
        'tmp .= a1 .+ a2 .* 2',
      );
    });

    test(gpuArrays(86, 'issue #21 muladd'), async () => {
      await check((a1, a2) => muladd(2, a1, a2), [r([8, 8], 86), r([8, 8], 87)], 'muladd.(2, a1, a2)');
    });

    test(gpuArrays(92, 'issue #41'), async () => {
      const as = [92, 93, 94, 95, 96].map((s) => r([6, 6], s));
      await checkInto(
        r([6, 6], 97),
        (a2, a3, a4, a5, a6) => {
          const c1 = 1.2,
            c2 = 1.3,
            c3 = 1.4,
            c4 = 1.5,
            c5 = 1.6;
          return a2 + c1 * (c2 * a3 + c3 * a4 + c4 * a5 + c5 * a6);
        },
        as,
        '@. a1 = a2 + c1 * (…)',
      );
    });

    test(gpuArrays(97, 'u = uprev + dt*duprev + dt2*(fract*ku)'), async () => {
      await checkInto(
        r([6, 6], 98),
        (uprev, duprev, ku) => {
          const fract = 1 / 2;
          const dt = 1.4;
          const dt2 = dt ** 2;
          return uprev + dt * duprev + dt2 * (fract * ku);
        },
        [r([6, 6], 99), r([6, 6], 100), r([6, 6], 101)],
        '@. u = …',
      );
    });

    test(gpuArrays(103, '(-).(x)'), async () => {
      await check((x) => -x, [r([2, 3], 103)], 'negation');
    });

    test(gpuArrays(105, 'utilde'), async () => {
      await checkInto(
        r([6, 6], 105),
        (k1, k2, k3, k4) => {
          const btilde1 = 1;
          const btilde2 = 1;
          const btilde3 = 1;
          const btilde4 = 1;
          const dt = 1;
          return dt * (btilde1 * k1 + btilde2 * k2 + btilde3 * k3 + btilde4 * k4);
        },
        [106, 107, 108, 109].map((s) => r([6, 6], s)),
        '@. utilde = …',
      );
    });

    test(gpuArrays(114, '0D (and issue #598, line 164)'), async () => {
      const x = await up(zeros([], dt));
      assert.deepEqual([...x.shape], []);
      await broadcastInto(x, () => 1);
      assert.deepEqual(Array.from((await down(x)).data), [1]);
      await broadcastInto(x, (v) => v / 2, x); // x /= 2
      assert.deepEqual(Array.from((await down(x)).data), [0.5]);
      const y = await down(await map((p: number, q: number) => p + q, x, await up(fill([], 2, dt))));
      assert.deepEqual([...y.shape], []);
      assert.deepEqual(Array.from(y.data), [2.5]); // issue #598: map over 0-d arrays
    });

    test(gpuArrays(123, 'fill!(x, 1)'), async () => {
      await checkInto(r([3, 3], 123), () => 1, [], 'fill!');
    });

    test(gpuArrays(124, 'map(+, x, y)'), async () => {
      const [x, y] = [r([2, 3], 124), r([2, 3], 125)];
      const got = await down(await map((p: number, q: number) => p + q, await up(x), await up(y)));
      close(got.data, reference((p, q) => p + q, [x, y]).data, rtol, 'map(+, x, y)');
    });

    test(gpuArrays(126, '2x, x .+ y'), async () => {
      await check((x) => 2 * x, [r([2, 3], 126)], '2x');
      await check((x, y) => x + y, [r([2, 3], 127), r([1, 3], 128)], 'x .+ y');
    });

    test(gpuArrays(128, 'z .= x .+ y'), async () => {
      // Julia's rand(ET, 2) lines up with the first (column-major) axis; row-major needs [2, 1].
      await checkInto(r([2, 3], 129), (x, y) => x + y, [r([2, 3], 130), r([2, 1], 131)], 'z .= x .+ y');
    });

    test(gpuArrays(130, 'A .= identity.(10)'), async () => {
      await checkInto(r([6, 6], 132), (v) => v, [10], 'A .= 10');
    });

    test(gpuArrays(131, 'test_kernel.(A, 10)'), async () => {
      await check((a) => testKernel(a, 10), [r([6, 6], 133)], 'test_kernel');
    });

    test(gpuArrays(132, 'A .* 10, A .* B, A .* B .+ 10'), async () => {
      const [A, B] = [r([6, 6], 134), r([6, 6], 135)];
      await check((a) => a * 10, [A], 'A .* 10');
      await check((a, b) => a * b, [A, B], 'A .* B');
      await check((a, b) => a * b + 10, [A, B], 'A .* B .+ 10');
    });

    test(gpuArrays(138, 'map!(+, x, y)'), async () => {
      await checkInto(r([2, 2], 138), (y) => +y, [r([2, 2], 139)], 'map!(+, x, y)');
    });

    test(gpuArrays(153, 'map(+, x, y) of the same shape, other shapes refused'), async () => {
      const [x, y] = [r([2, 2], 153), r([2, 2], 154)];
      const got = await down(await map((p: number, q: number) => p + q, await up(x), await up(y)));
      close(got.data, reference((p, q) => p + q, [x, y]).data, rtol, 'map(+, x, y)');
      await assert.rejects(
        map((p: number, q: number) => p + q, await up(r([2], 156)), await up(r([2, 2], 157))),
        /same shape/,
      );
    });

    // composed_function(): "ComposedFunction $ET", with sq registered through kernel().
    test(`GPUArrays broadcasting.jl:236 "ComposedFunction" ${dt}`, async () => {
      const [a, b] = [r([8], 236), r([8], 237)];
      await check((x, y) => sq(x + y), [a, b], '(sq ∘ +).(a, b)');
      await check((x, y) => sq(sq(x + y)), [a, b], '(sq ∘ sq ∘ +).(a, b)');
      await check((x) => sq(x), [a], '(sq ∘ identity).(a)');
      await check((x, s) => sq(x + s), [a, 2], '(sq ∘ +).(a, Ref(2))');
      await check((x, y) => x - y, [a, b], '(identity ∘ -).(a, b)');
    });
  }

  test('GPUArrays broadcasting.jl:170 "stackoverflow in copy(::Broadcast)": an empty array', async () => {
    const got = await down(await broadcast((x: number) => x, await up(zeros([0]))));
    assert.deepEqual([...got.shape], [0]);
  });
}
