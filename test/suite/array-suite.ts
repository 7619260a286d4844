/**
 * The shared array test suite. Every array type runs it: NDArray here (cpu.test.ts), GPUArray and
 * DArray in their own files, by passing `toBackend` that moves a host NDArray onto their type.
 * Expected values come from plain JS loops in this file, independent of any kernel.
 */
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
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
} from '../../src/array/index.js';
import { cg, powerMethod } from '../../src/linalg/index.js';

/** How a backend plugs into the suite. */
export interface ArraySuiteOptions {
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
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w)) expect(g).toBeNaN();
    else if (!Number.isFinite(w)) expect(g).toBe(w);
    else if (Math.abs(g - w) > rtol * Math.max(scale, 1e-300))
      throw new Error(`element ${i}: got ${g}, want ${w} (rtol ${rtol})`);
  }
}

function closeNum(got: number, want: number, rtol: number): void {
  if (Math.abs(got - want) > rtol * Math.max(Math.abs(want), 1e-300))
    throw new Error(`got ${got}, want ${want} (rtol ${rtol})`);
}

/** Defines the suite's describe/it blocks for one array type. */
export function runArraySuite(name: string, options: ArraySuiteOptions): void {
  const dtypes = options.dtypes ?? ['float64', 'float32'];
  const skip = options.skip ?? {};
  const rtolOf = (dt: DType) => options.rtol?.[dt] ?? (dt === 'float32' ? 1e-5 : 1e-12);

  describe(`array suite: ${name}`, () => {
    const up = async (a: NDArray) => {
      const x = await options.toBackend(a);
      expect(x.backend).toBe(options.backend);
      return x;
    };
    const down = async (x: AnyArray) => {
      expect(x.backend).toBe(options.backend);
      return collect(x);
    };
    const test = (caseName: string, body: () => Promise<void>) => {
      const reason = skip[caseName];
      // A case is skipped only when its backend declares it in `skip` with a reason (GPU arrays are
      // float32 only, say); the reason goes into the reported name, so no case vanishes silently.
      it.skipIf(reason !== undefined)(reason ? `${caseName} (skipped: ${reason})` : caseName, body);
    };

    for (const dt of dtypes) {
      const rtol = rtolOf(dt);
      const r = (shape: number[], seed: number) => rand(shape, { dtype: dt, seed });

      test(`broadcast same shape ${dt}`, async () => {
        const a = r([37, 5], 1);
        const b = r([37, 5], 2);
        const fn = (x: number, y: number) => 2 * x - y * y + Math.sin(x);
        const got = await down(await broadcast(fn, await up(a), await up(b)));
        expect(got.dtype).toBe(dt);
        expect(got.shape).toEqual([37, 5]);
        close(got.data, referenceBroadcast(fn, [a, b]).data, rtol);
      });

      test(`broadcast with scalars and shape rules ${dt}`, async () => {
        const a = r([4, 1, 3], 3);
        const b = r([5, 1], 4);
        const fn = (x: number, s: number, y: number) => (x > 0.5 ? x * s : y / s) + Math.max(x, y);
        const got = await down(await broadcast(fn, await up(a), 3, await up(b)));
        const want = referenceBroadcast(fn, [a, 3, b]);
        expect(got.shape).toEqual(want.shape);
        expect(got.shape).toEqual([4, 5, 3]);
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
        expect(C.backend).toBe(options.backend);
        expect(await isApprox(C, await up(fill([10_000], 4 * Math.PI, dt)))).toBe(true);
        expect(await isApprox(C, await up(fill([10_000], 4 * Math.PI + 0.01, dt)))).toBe(false);
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
        expect(await min(x)).toBe(Math.min(...ref));
        expect(await max(x)).toBe(Math.max(...ref));
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
        expect(await reduce((s: number, v: number) => Math.max(s, v), x)).toBe(Math.max(...ref));
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
        expect(await norm(x, Number.POSITIVE_INFINITY)).toBe(Math.max(...ref.map(Math.abs)));
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
        expect(got.shape).toEqual([67]);
        expect(got.dtype).toBe(dt);
        close(got.data, want, rtol * 10);
      });

      test(`mul scaled by alpha ${dt}`, async () => {
        const A = r([67, 45], 15);
        const v = r([45], 16);
        const B = r([45, 5], 17);
        const mv = await down(await mul(await up(A), await up(v), { alpha: -0.25 }));
        expect(mv.shape).toEqual([67]);
        close(
          mv.data,
          Array.from((await mul(A, v)).data, (x) => x * -0.25),
          rtol * 10,
        );
        const mm = await down(await mul(await up(A), await up(B), { alpha: 3 }));
        expect(mm.shape).toEqual([67, 5]);
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
        expect(got.shape).toEqual([13, 9]);
        close(got.data, want, rtol * 10);
      });

      test(`transpose ${dt}`, async () => {
        const A = r([40, 33], 15);
        const got = await down(await transpose(await up(A)));
        expect(got.shape).toEqual([33, 40]);
        for (let i = 0; i < 33; i++) for (let j = 0; j < 40; j++) expect(got.get(i, j)).toBe(A.get(j, i));
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
        expect(x.backend).toBe(options.backend);
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
          expect(Math.abs(host.data[0] as number)).toBeCloseTo(1, dt === 'float32' ? 5 : 10);
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
        expect(res.converged).toBe(true);
        close((await collect(res.x)).data, xTrue.data, dt === 'float32' ? 1e-2 : 1e-8);
      });
    }

    test('mixed dtypes give float64', async () => {
      const a = await up(rand([8], { dtype: 'float32', seed: 1 }));
      const b = await up(rand([8], { seed: 2 }));
      expect((await broadcast((x: number, y: number) => x + y, a, b)).dtype).toBe('float64');
      expect((await broadcast((x: number) => x + 1, a)).dtype).toBe('float32');
    });

    test('shape mismatch is an error naming the shapes', async () => {
      const a = await up(rand([3], { seed: 1 }));
      const b = await up(rand([4], { seed: 2 }));
      await expect(broadcast((x: number, y: number) => x + y, a, b)).rejects.toThrow(/\[3\], \[4\]/);
      await expect(mul(await up(rand([3, 4], { seed: 3 })), a)).rejects.toThrow(/inner dimensions/);
      const m = await up(rand([4, 3], { seed: 4 }));
      await expect(mul(m, a, { alpha: Number.NaN })).rejects.toThrow(
        /mul: alpha must be a finite number, got number NaN/,
      );
    });
  });
}

function eye(n: number, dtype: DType): NDArray {
  const I = new NDArray(new (dtype === 'float32' ? Float32Array : Float64Array)(n * n), [n, n]);
  for (let i = 0; i < n; i++) I.set(n, i, i);
  return I;
}
