/**
 * The shared array test suite (`darray/testsuite`, GPUArrays.jl's TestSuite analogue). Every array
 * type runs it: NDArray, GPUArray and DArray in this repository's test/suite/, and a backend
 * author's own array type or backend, by passing `toBackend` that moves a host NDArray onto it.
 * Expected values come from plain JS loops in this file, independent of any kernel. It takes the
 * test runner's `describe` and `it` (vitest's, node:test's, …) so the package needs no test
 * framework at run time; its checks are node:assert's. Like all of core it registers no backend:
 * import the package's entry ('darray') first, which registers the shipped ones.
 */
import assert from 'node:assert/strict';
import {
  type AnyArray,
  array,
  broadcast,
  collect,
  type DType,
  dot,
  fill,
  isApprox,
  map,
  mapreduce,
  max,
  min,
  mul,
  NDArray,
  norm,
  ones,
  prod,
  rand,
  randn,
  reduce,
  sum,
  transpose,
  zeros,
} from '../array/index.js';
import { cg, powerMethod } from '../linalg/index.js';
import { indexingCases } from './indexing.js';
import { lambdaCases } from './lambdas.js';
import { linalgCases } from './linalg.js';
import { mathBaseCases } from './math-base.js';
import { randomCases } from './random.js';
import { reductionCases } from './reductions.js';
import { type ShapeCaseContext, shapeCases } from './shape.js';

/** A case body: async, throwing on failure. */
export type TestBody = () => Promise<void>;

/**
 * The test runner's API the suite defines its cases with: vitest's or node:test's `describe` and
 * `it` fit as they are.
 */
export interface TestApi {
  describe(name: string, body: () => void): unknown;
  it: { (name: string, body: TestBody): unknown; skip(name: string, body: TestBody): unknown };
}

/** How a backend plugs into the suite. */
export interface ArraySuiteOptions {
  /** The test runner's describe and it, e.g. `{ describe, it }` from 'vitest'. */
  test: TestApi;
  /** Moves a host array onto the backend's array type. */
  toBackend: (a: NDArray) => Promise<AnyArray>;
  /** The backend name arrays of this type report (checked on every result). */
  backend: string;
  /** Relative tolerance against the reference (default 1e-12 for float64, 1e-5 for float32). */
  rtol?: Partial<Record<DType, number>>;
  /** dtypes to run (default float64 and float32). */
  dtypes?: DType[];
  /** Case names to skip, each with the reason it cannot run on this backend. */
  skip?: Record<string, string>;
  /** Makes an identity matrix on the backend, for a type that has no eye backend (DArrays use deye). */
  eye?: ShapeCaseContext['eye'];
}

type Fn = (...xs: number[]) => number;

/** Reference broadcast: calls `fn` per element with NumPy's index rule, no generated code. */
export function referenceBroadcast(fn: Fn, args: (NDArray | number)[]): { shape: number[]; data: number[] } {
  const arrays = args.filter((a): a is NDArray => typeof a !== 'number');
  const nd = Math.max(...arrays.map((a) => a.ndim));
  const shape = Array.from({ length: nd }, (_, k) =>
    Math.max(...arrays.map((a) => (k - (nd - a.ndim) >= 0 ? a.shape[k - (nd - a.ndim)]! : 1))),
  );
  const size = shape.reduce((s, d) => s * d, 1);
  const data: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    const idx: number[] = [];
    let rem = flat;
    for (let k = nd - 1; k >= 0; k--) {
      idx[k] = rem % shape[k]!;
      rem = Math.floor(rem / shape[k]!);
    }
    const vals = args.map((a) => {
      if (typeof a === 'number') return a;
      const own = idx.slice(nd - a.ndim).map((i, k) => (a.shape[k] === 1 ? 0 : i));
      return a.ndim === 0 ? a.data[0]! : a.get(...own);
    });
    data.push(Number(fn(...vals)));
  }
  return { shape, data };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number): void {
  assert.equal(got.length, want.length, 'number of elements');
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `element ${i}: got ${g}, want NaN`);
    else if (!Number.isFinite(w)) assert.equal(g, w, `element ${i}`);
    else if (Math.abs(g - w) > rtol * Math.max(scale, 1e-300))
      throw new Error(`element ${i}: got ${g}, want ${w} (rtol ${rtol})`);
  }
}

function closeNum(got: number, want: number, rtol: number): void {
  if (Math.abs(got - want) > rtol * Math.max(Math.abs(want), 1e-300))
    throw new Error(`got ${got}, want ${want} (rtol ${rtol})`);
}

/** A shape as a plain list, for comparing with a literal. */
const dims = (x: { shape: readonly number[] }): number[] => [...x.shape];

/**
 * Defines the suite's describe/it blocks for one array type. A name in `skip` that matches no case
 * is an error, so a renamed case cannot leave a stale skip behind.
 *
 * @example
 * import { describe, it } from 'vitest';
 * import { runArraySuite } from 'darray/testsuite';
 * runArraySuite('my backend', { test: { describe, it }, toBackend: (a) => myUpload(a), backend: 'mine' });
 */
export function runArraySuite(name: string, options: ArraySuiteOptions): void {
  const { describe, it } = options.test;
  const dtypes = options.dtypes ?? ['float64', 'float32'];
  const skip = options.skip ?? {};
  const defined = new Set<string>();
  const rtolOf = (dt: DType) => options.rtol?.[dt] ?? (dt === 'float32' ? 1e-5 : 1e-12);

  describe(`array suite: ${name}`, () => {
    const up = async (a: NDArray) => {
      const x = await options.toBackend(a);
      assert.equal(x.backend, options.backend, 'backend of the uploaded array');
      return x;
    };
    const down = async (x: AnyArray) => {
      assert.equal(x.backend, options.backend, 'backend of the result');
      return collect(x);
    };
    const test = (caseName: string, body: TestBody) => {
      defined.add(caseName);
      const reason = skip[caseName];
      // A case is skipped only when its backend declares it in `skip` with a reason (GPU arrays are
      // float32 only, say); the reason goes into the reported name, so no case vanishes silently.
      if (reason === undefined) it(caseName, body);
      else it.skip(`${caseName} (skipped: ${reason})`, body);
    };

    for (const dt of dtypes) {
      const rtol = rtolOf(dt);
      const r = (shape: number[], seed: number) => rand(shape, { dtype: dt, seed });

      test(`broadcast same shape ${dt}`, async () => {
        const a = r([37, 5], 1);
        const b = r([37, 5], 2);
        const fn = (x: number, y: number) => 2 * x - y * y + Math.sin(x);
        const got = await down(await broadcast(fn, await up(a), await up(b)));
        assert.equal(got.dtype, dt);
        assert.deepEqual(dims(got), [37, 5]);
        close(got.data, referenceBroadcast(fn, [a, b]).data, rtol);
      });

      test(`broadcast with scalars and shape rules ${dt}`, async () => {
        const a = r([4, 1, 3], 3);
        const b = r([5, 1], 4);
        const fn = (x: number, s: number, y: number) => (x > 0.5 ? x * s : y / s) + Math.max(x, y);
        const got = await down(await broadcast(fn, await up(a), 3, await up(b)));
        const want = referenceBroadcast(fn, [a, 3, b]);
        assert.deepEqual(dims(got), want.shape);
        assert.deepEqual(dims(got), [4, 5, 3]);
        close(got.data, want.data, rtol);
      });

      test(`map ${dt}`, async () => {
        const a = r([100], 5);
        const got = await down(await map((x: number) => Math.sqrt(x) + 1, await up(a)));
        close(
          got.data,
          Array.from(a.data, (x) => Math.sqrt(x) + 1),
          rtol,
        );
      });

      test(`manual example 2 .* A ./ B ≈ 4π ${dt}`, async () => {
        const A = await broadcast((x: number) => x * Math.PI, await up(ones([10_000], dt)));
        const B = await broadcast((x: number) => x / 2, await up(ones([10_000], dt)));
        const C = await broadcast((a: number, b: number) => (2 * a) / b, A, B);
        assert.equal(C.backend, options.backend);
        assert.equal(await isApprox(C, await up(fill([10_000], 4 * Math.PI, dt))), true);
        assert.equal(await isApprox(C, await up(fill([10_000], 4 * Math.PI + 0.01, dt))), false);
      });

      test(`sum prod min max ${dt}`, async () => {
        const a = r([1000], 6);
        const x = await up(a);
        const ref = Array.from(a.data);
        closeNum(
          await sum(x),
          ref.reduce((s, v) => s + v, 0),
          rtol * 10,
        );
        const small = await up(
          array(
            ref.slice(0, 20).map((v) => 0.5 + v),
            { dtype: dt },
          ),
        );
        closeNum(
          await prod(small),
          ref.slice(0, 20).reduce((s, v) => s * (0.5 + v), 1),
          rtol * 10,
        );
        assert.equal(await min(x), Math.min(...ref));
        assert.equal(await max(x), Math.max(...ref));
      });

      test(`reduce and mapreduce with lambdas ${dt}`, async () => {
        const a = r([257], 7);
        const x = await up(a);
        const ref = Array.from(a.data);
        closeNum(
          await mapreduce(
            (v: number) => v * v,
            (s: number, v: number) => s + v,
            x,
          ),
          ref.reduce((s, v) => s + v * v, 0),
          rtol * 10,
        );
        closeNum(
          await reduce((s: number, v: number) => s + 2 * v, x, { init: 1 }),
          ref.reduce((s, v) => s + 2 * v, 1),
          rtol * 10,
        );
        assert.equal(await reduce((s: number, v: number) => Math.max(s, v), x), Math.max(...ref));
      });

      test(`norm 1, 2, Infinity ${dt}`, async () => {
        const a = randn([300], { dtype: dt, seed: 8 });
        const x = await up(a);
        const ref = Array.from(a.data);
        closeNum(await norm(x), Math.sqrt(ref.reduce((s, v) => s + v * v, 0)), rtol);
        closeNum(
          await norm(x, 1),
          ref.reduce((s, v) => s + Math.abs(v), 0),
          rtol,
        );
        assert.equal(await norm(x, Number.POSITIVE_INFINITY), Math.max(...ref.map(Math.abs)));
        closeNum(await norm(x, 3), ref.reduce((s, v) => s + Math.abs(v) ** 3, 0) ** (1 / 3), rtol * 10);
      });

      test(`norm does not overflow or underflow ${dt}`, async () => {
        const big = dt === 'float32' ? 1e30 : 1e200;
        const tiny = dt === 'float32' ? 1e-30 : 1e-200;
        closeNum(await norm(await up(array([3 * big, 4 * big], { dtype: dt }))), 5 * big, rtol);
        closeNum(await norm(await up(array([3 * tiny, 4 * tiny], { dtype: dt }))), 5 * tiny, rtol * 10);
      });

      test(`dot ${dt}`, async () => {
        const a = r([513], 9);
        const b = r([513], 10);
        let want = 0;
        for (let i = 0; i < 513; i++) want += a.data[i]! * b.data[i]!;
        closeNum(await dot(await up(a), await up(b)), want, rtol * 10);
      });

      test(`mul matrix-vector ${dt}`, async () => {
        const A = r([67, 45], 11);
        const v = r([45], 12);
        const got = await down(await mul(await up(A), await up(v)));
        const want = Array.from({ length: 67 }, (_, i) => {
          let s = 0;
          for (let j = 0; j < 45; j++) s += A.get(i, j) * v.get(j);
          return s;
        });
        assert.deepEqual(dims(got), [67]);
        assert.equal(got.dtype, dt);
        close(got.data, want, rtol * 10);
      });

      test(`mul scaled by alpha ${dt}`, async () => {
        const A = r([67, 45], 15);
        const v = r([45], 16);
        const B = r([45, 5], 17);
        const mv = await down(await mul(await up(A), await up(v), { alpha: -0.25 }));
        assert.deepEqual(dims(mv), [67]);
        close(
          mv.data,
          Array.from((await mul(A, v)).data, (x) => x * -0.25),
          rtol * 10,
        );
        const mm = await down(await mul(await up(A), await up(B), { alpha: 3 }));
        assert.deepEqual(dims(mm), [67, 5]);
        close(
          mm.data,
          Array.from((await mul(A, B)).data, (x) => x * 3),
          rtol * 10,
        );
      });

      test(`mul matrix-matrix ${dt}`, async () => {
        const A = r([13, 7], 13);
        const B = r([7, 9], 14);
        const got = await down(await mul(await up(A), await up(B)));
        const want: number[] = [];
        for (let i = 0; i < 13; i++)
          for (let j = 0; j < 9; j++) {
            let s = 0;
            for (let k = 0; k < 7; k++) s += A.get(i, k) * B.get(k, j);
            want.push(s);
          }
        assert.deepEqual(dims(got), [13, 9]);
        close(got.data, want, rtol * 10);
      });

      test(`transpose ${dt}`, async () => {
        const A = r([40, 33], 15);
        const got = await down(await transpose(await up(A)));
        assert.deepEqual(dims(got), [33, 40]);
        for (let i = 0; i < 33; i++) for (let j = 0; j < 40; j++) assert.equal(got.get(i, j), A.get(j, i));
      });

      test(`powerMethod on the manual's [2 1; 1 1] ${dt}`, async () => {
        const M = await up(
          array(
            [
              [2, 1],
              [1, 1],
            ],
            { dtype: dt },
          ),
        );
        const v = await up(rand([2], { dtype: dt, seed: 16 }));
        const [x, lambda] = await powerMethod(M, v);
        assert.equal(x.backend, options.backend);
        closeNum(lambda, 2.618033988749895, dt === 'float32' ? 1e-6 : 1e-14);
        const host = await collect(x);
        close(host.data, [0.85065080835204, 0.5257311121191336], dt === 'float32' ? 1e-6 : 1e-12);
      });

      // |λ| far from 1: a few products without a division would overflow (or underflow) the dtype,
      // so this fails if the iterates between two checks of the norm were not kept near unit norm.
      for (const scale of dt === 'float32' ? [1e15, 1e-15] : [1e25, 1e-25])
        test(`powerMethod keeps the iterates in range when |λ| ≈ ${scale} ${dt}`, async () => {
          const n = 6;
          const D = zeros([n, n], dt);
          for (let i = 0; i < n; i++) D.data[i * n + i] = scale * (n - i) * (i % 2 === 0 ? 1 : -1);
          const [x, lambda] = await powerMethod(await up(D), await up(rand([n], { dtype: dt, seed: 19 })), {
            iters: 120,
          });
          closeNum(lambda, scale * n, dt === 'float32' ? 1e-5 : 1e-12);
          const host = await collect(x);
          const first = Math.abs(host.data[0] as number);
          assert.ok(
            Math.abs(first - 1) < 10 ** -(dt === 'float32' ? 5 : 10) / 2,
            `|x[0]| = ${first}, want 1`,
          );
        });

      test(`cg solves an SPD system ${dt}`, async () => {
        const n = 30;
        const R = r([n, n], 17);
        const At = await collect(await transpose(R));
        const spd = await broadcast((a: number, i: number) => a + i, await mul(R, At), eye(n, dt));
        const xTrue = r([n], 18);
        const b = await mul(spd, xTrue);
        const res = await cg(await up(spd), await up(b), {
          rtol: dt === 'float32' ? 1e-5 : 1e-12,
          maxIter: 500,
        });
        assert.equal(res.converged, true);
        close((await collect(res.x)).data, xTrue.data, dt === 'float32' ? 1e-2 : 1e-8);
      });
    }

    indexingCases({ test, up, down, dtypes });
    shapeCases({ test, up, down, dtypes, backend: options.backend, eye: options.eye });
    reductionCases({ test, up, down, dtypes, rtolOf });

    test('mixed dtypes give float64', async () => {
      const a = await up(rand([8], { dtype: 'float32', seed: 1 }));
      const b = await up(rand([8], { seed: 2 }));
      assert.equal((await broadcast((x: number, y: number) => x + y, a, b)).dtype, 'float64');
      assert.equal((await broadcast((x: number) => x + 1, a)).dtype, 'float32');
    });

    test('shape mismatch is an error naming the shapes', async () => {
      const a = await up(rand([3], { seed: 1 }));
      const b = await up(rand([4], { seed: 2 }));
      await assert.rejects(
        broadcast((x: number, y: number) => x + y, a, b),
        /\[3\], \[4\]/,
      );
      await assert.rejects(mul(await up(rand([3, 4], { seed: 3 })), a), /inner dimensions/);
      const m = await up(rand([4, 3], { seed: 4 }));
      await assert.rejects(
        mul(m, a, { alpha: Number.NaN }),
        /mul: alpha must be a finite number, got number NaN/,
      );
    });
    const caseHelpers = { test, up, down, dtypes, rtolOf, backend: options.backend };
    linalgCases(caseHelpers);
    randomCases(caseHelpers);
    lambdaCases({ test, up, down, dtypes, rtolOf, reference: referenceBroadcast });
    mathBaseCases({ test, up, down, dtypes, rtolOf });
    // Checked once every case is defined (runners may run describe bodies later).
    const unknown = Object.keys(skip).filter((k) => !defined.has(k));
    if (unknown.length > 0)
      throw new Error(
        `runArraySuite(${JSON.stringify(name)}): skip names no case: ${unknown.map((k) => JSON.stringify(k)).join(', ')}; the cases are: ${[...defined].join('; ')}`,
      );
  });
}

function eye(n: number, dtype: DType): NDArray {
  const I = new NDArray(new (dtype === 'float32' ? Float32Array : Float64Array)(n * n), [n, n]);
  for (let i = 0; i < n; i++) I.set(n, i, i);
  return I;
}
