// Property tests: NumPy's shape rule, fused broadcast against per-element evaluation, reductions.
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  array,
  broadcast,
  broadcastShapes,
  type DType,
  max,
  min,
  NDArray,
  norm,
  prod,
  sum,
} from '../../src/array/index.js';
import { referenceBroadcast } from '../suite/array-suite.js';

const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });

/** A shape and another that broadcasts with it (some dims dropped or set to 1). */
const compatible = shapeArb.chain((s) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: s.length }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
    )
    .map(([drop, ones]) => [s, s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))] as const),
);

function arrayOf(shape: readonly number[], values: number[], dtype: DType = 'float64'): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return array(
    Array.from({ length: n }, (_, i) => values[i % values.length] ?? 0),
    { shape, dtype },
  );
}

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('shape rules (property)', () => {
  it('broadcastShapes is symmetric and each input broadcasts to the result', () => {
    fc.assert(
      fc.property(compatible, ([a, b]) => {
        const out = broadcastShapes([a, b]);
        expect(broadcastShapes([b, a])).toEqual(out);
        expect(out).toEqual(a.length >= b.length ? [...a] : out);
        expect(broadcastShapes([out, a])).toEqual(out);
      }),
    );
  });

  it('incompatible extents are rejected', () => {
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 2, max: 5 }), (s, d) => {
        const bad = [...s, d];
        const other = [...s, d + 1];
        expect(() => broadcastShapes([bad, other])).toThrow(/do not broadcast/);
      }),
    );
  });

  it('fused broadcast equals per-element evaluation of the lambda', async () => {
    await fc.assert(
      fc.asyncProperty(
        compatible,
        fc.array(finite, { minLength: 1, maxLength: 9 }),
        finite,
        async ([sa, sb], vals, s) => {
          const a = arrayOf(sa, vals);
          const b = arrayOf(
            sb,
            vals.map((v) => v / 3 + 1),
          );
          const fn = (x: number, y: number, k: number) => (x < y ? x * k - y : Math.abs(x - y) / (1 + k * k));
          const got = await broadcast(fn, a, b, s);
          const want = referenceBroadcast(fn, [a, b, s]);
          expect(got.shape).toEqual(want.shape);
          expect(Array.from(got.data)).toEqual(want.data);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('reductions (property)', () => {
  const vec = fc.array(finite, { minLength: 1, maxLength: 300 });

  it('min, max and sum agree with plain JS', async () => {
    await fc.assert(
      fc.asyncProperty(vec, async (v) => {
        const x = array(v);
        expect(await min(x)).toBe(Math.min(...v));
        expect(await max(x)).toBe(Math.max(...v));
        const s = v.reduce((a, b) => a + b, 0);
        const bound = 1e-12 * v.reduce((a, b) => a + Math.abs(b), 0) * v.length;
        expect(Math.abs((await sum(x)) - s)).toBeLessThanOrEqual(bound);
      }),
    );
  });

  it('norm is absolutely homogeneous and obeys the triangle inequality', async () => {
    await fc.assert(
      fc.asyncProperty(
        vec,
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        fc.constantFrom(1, 2, Number.POSITIVE_INFINITY),
        async (v, c, p) => {
          const x = array(v);
          const y = array(v.map((e, i) => e * ((i % 3) - 1)));
          const nx = await norm(x, p);
          const cx = await broadcast((e: number, k: number) => e * k, x, c);
          expect(Math.abs((await norm(cx, p)) - Math.abs(c) * nx)).toBeLessThanOrEqual(
            1e-12 * Math.abs(c) * nx + 1e-300,
          );
          const xy = await broadcast((a: number, b: number) => a + b, x, y);
          expect(await norm(xy, p)).toBeLessThanOrEqual((nx + (await norm(y, p))) * (1 + 1e-12));
        },
      ),
    );
  });

  it('prod of an empty array is 1, sum is 0, min needs init', async () => {
    const e = new NDArray(new Float64Array(0), [0]);
    expect(await prod(e)).toBe(1);
    expect(await sum(e)).toBe(0);
    await expect(min(e)).rejects.toThrow(/empty; pass init/);
    expect(await min(e, { init: 5 })).toBe(5);
  });
});
