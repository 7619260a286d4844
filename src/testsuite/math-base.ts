/**
 * The suite's cases ported from GPUArrays.jl's test/testsuite/math.jl, uniformscaling.jl and the
 * parts of base.jl and construction.jl the shape and indexing cases leave (copy!, copyto!, map,
 * copy, view, selectdim, conversions), each named after its testset and line. Julia's in-place
 * verbs map onto darray's: `copy!`/`copyto!` and `fill!` are `setindex`, `map!` and `clamp!` are
 * `broadcastInto`, `copy` is `getindex` with ':'. Also jld2ext.jl's save/load round trip, through
 * the `.npy` format darray saves (JLD2 is Julia's). Expected values come from plain loops here.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnyArray,
  array,
  broadcast,
  broadcastInto,
  type DType,
  getindex,
  map,
  type NDArray,
  ones,
  rand,
  setindex,
  view,
  zeros,
} from '../array/index.js';
import { ArgumentError, BoundsError } from '../errors.js';
import { load, save } from '../io/npy.js';
import { tril, triu } from '../linalg/ops.js';

/** What these cases need from runArraySuite. */
export interface MathBaseContext {
  /** Defines one case (honouring the suite's skip list). */
  test: (name: string, body: () => Promise<void>) => void;
  /** Moves a host array onto the backend under test. */
  up: (a: NDArray) => Promise<AnyArray>;
  /** Brings a result back, checking its backend. */
  down: (x: AnyArray) => Promise<NDArray>;
  dtypes: readonly DType[];
  /** The relative tolerance of a dtype. */
  rtolOf: (dt: DType) => number;
}

const flat = (x: NDArray): number[] => Array.from(x.data as ArrayLike<number>);

/** Row-major positions of a box selection, each range [start, stop). */
function pick(a: NDArray, ranges: readonly (readonly [number, number] | number)[]): number[] {
  const out: number[] = [];
  const rec = (k: number, at: number[]) => {
    if (k === ranges.length) {
      out.push(a.get(...at));
      return;
    }
    const r = ranges[k] as readonly [number, number] | number;
    if (typeof r === 'number') rec(k + 1, [...at, r]);
    else for (let i = r[0]; i < r[1]; i++) rec(k + 1, [...at, i]);
  };
  rec(0, []);
  return out;
}

/** got ≈ want elementwise, relative to the largest magnitude of want (at least 1). */
function close(got: readonly number[], want: readonly number[], rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = Math.max(1, ...want.map(Math.abs));
  got.forEach((g, i) => {
    const w = want[i] as number;
    if (!(Math.abs(g - w) <= rtol * scale)) throw new Error(`${what}: element ${i}: got ${g}, want ${w}`);
  });
}

/** The values a dtype stores (float32 rounds). */
const stored = (dt: DType) => (x: number) => (dt === 'float32' ? Math.fround(x) : x);

/** Defines the math, uniformscaling, base and construction cases through the suite's `test`. */
export function mathBaseCases({ test, up, down, dtypes, rtolOf }: MathBaseContext): void {
  for (const dt of dtypes) {
    const r = (shape: number[], seed: number) => rand(shape, { dtype: dt, seed });

    test(`GPUArrays math.jl:9 "clamp!" ${dt}`, async () => {
      for (const n of [2, 10]) {
        const h = r([n, n], n);
        for (let i = 0; i < h.size; i++) h.data[i] = (h.data[i] as number) * 4 - 2;
        const x = await up(h);
        // In place, as clamp!(x, -1, 1).
        await broadcastInto(x, (v) => Math.min(Math.max(v, -1), 1), x);
        assert.deepEqual(
          flat(await down(x)),
          flat(h).map((v) => Math.min(Math.max(v, -1), 1)),
        );
      }
    });

    test(`GPUArrays math.jl:18 "x^p" for p in (0, 1, 2, 5) ${dt}`, async () => {
      const h = r([2, 2], 18);
      const x = await up(h);
      for (const p of [0, 1, 2, 5]) {
        const got = flat(await down(await broadcast((v, q) => v ** q, x, p)));
        close(
          got,
          flat(h).map((v) => stored(dt)(v ** p)),
          rtolOf(dt),
          `x^${p}`,
        );
      }
    });

    test(`GPUArrays uniformscaling.jl:9 "UniformScaling $f" (x + I, I - x) ${dt}`, async () => {
      // f over the wrappers, as the dense matrices they stand for: a Unit* wrapper has ones on
      // its diagonal whatever x holds; Hermitian and Symmetric of a real ones(5, 5) are itself.
      const n = 5;
      const I = await up(identity(n, dt));
      const x = await up(ones([n, n], dt));
      const wrappers: [string, () => Promise<AnyArray>, (i: number, j: number) => number][] = [
        ['identity', async () => x, () => 1],
        ['LowerTriangular', () => tril(x), (i, j) => (j <= i ? 1 : 0)],
        ['UpperTriangular', () => triu(x), (i, j) => (j >= i ? 1 : 0)],
        [
          'UnitLowerTriangular',
          async () => broadcast((a, e) => a + e, await tril(x, -1), I),
          (i, j) => (j <= i ? 1 : 0),
        ],
        [
          'UnitUpperTriangular',
          async () => broadcast((a, e) => a + e, await triu(x, 1), I),
          (i, j) => (j >= i ? 1 : 0),
        ],
        ['Hermitian', async () => x, () => 1],
        ['Symmetric', async () => x, () => 1],
      ];
      for (const [name, wrap, want] of wrappers) {
        const xw = await wrap();
        const plus: number[] = [];
        const minus: number[] = [];
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            plus.push(want(i, j) + (i === j ? 1 : 0));
            minus.push((i === j ? 1 : 0) - want(i, j));
          }
        assert.deepEqual(flat(await down(await broadcast((a, e) => a + e, xw, I))), plus, `${name} + I`);
        assert.deepEqual(flat(await down(await broadcast((e, a) => e - a, I, xw))), minus, `I - ${name}`);
      }
    });

    test(`GPUArrays base.jl:76 "copy!" (setindex with ':') ${dt}`, async () => {
      for (const shape of [[10], [4, 5]]) {
        const src = r(shape, 76);
        const dst = await up(r(shape, 77));
        await setindex(dst, await up(src), ...shape.map(() => ':' as const));
        assert.deepEqual(flat(await down(dst)), flat(src));
      }
    });

    test(`GPUArrays base.jl:101 "copy! with differently sized higher dim arrays will error." ${dt}`, async () => {
      const dst = await up(r([10, 1], 101));
      const src = await up(r([5, 1], 102));
      await assert.rejects(setindex(dst, src, ':', ':'), ArgumentError);
      await assert.rejects(setindex(src, dst, ':', ':'), ArgumentError);
    });

    test(`GPUArrays base.jl:109 "copyto!" (ranges, boxes, a host source, a whole array) ${dt}`, async () => {
      // copyto!(a, 1:7, b, 11:17) on vectors.
      const y = r([20], 109);
      const a = await up(zeros([10], dt));
      await setindex(a, await getindex(await up(y), [10, 17]), [0, 7]);
      assert.deepEqual(flat(await down(a)), [...flat(y).slice(10, 17), 0, 0, 0]);
      // copyto!(a, CartesianIndices((1:7, 3:8)), b, CartesianIndices((4:10, 3:8))) on matrices.
      const y2 = r([20, 10], 110);
      const b2 = await up(y2);
      const a2 = await up(zeros([10, 10], dt));
      await setindex(a2, await getindex(b2, [3, 10], [2, 8]), [0, 7], [2, 8]);
      const want = zeros([10, 10], dt);
      for (let i = 0; i < 7; i++) for (let j = 2; j < 8; j++) want.set(y2.get(i + 3, j), i, j);
      assert.deepEqual(flat(await down(a2)), flat(want));
      // A source box of another size (4:11) is refused.
      await assert.rejects(setindex(a2, await getindex(b2, [3, 11], [2, 8]), [0, 7], [2, 8]), ArgumentError);
      // The same from a host source (copyto!(a, r1, y, r2) with y an Array).
      const a3 = await up(zeros([10, 10], dt));
      await setindex(a3, await getindex(y2, [3, 10], [2, 8]), [0, 7], [2, 8]);
      assert.deepEqual(flat(await down(a3)), flat(want));
      // copyto!(a, b) of a whole vector, and from a host float64 source into the array's dtype.
      const a4 = await up(zeros([10], dt));
      await setindex(a4, await up(ones([10], dt)), ':');
      assert.deepEqual(flat(await down(a4)), new Array(10).fill(1));
      const src64 = rand([4], { seed: 111 });
      const a5 = await up(zeros([4], dt));
      await setindex(a5, src64, ':');
      assert.deepEqual(flat(await down(a5)), flat(src64).map(stored(dt)));
    });

    test(`GPUArrays base.jl:193 "copyto!" of selectdim(x, 2, 1) into a same-size and a larger destination ${dt}`, async () => {
      const x = await up(ones([2, 2, 2], dt));
      const s = await getindex(x, ':', 0, ':');
      const y = await up(zeros([2, 2], dt));
      await setindex(y, s, ':', ':');
      assert.deepEqual(flat(await down(y)), [1, 1, 1, 1]);
      // Into a 3×3 destination: Julia's copyto! fills the first 4 elements in linear order.
      const z = await up(zeros([3, 3], dt));
      await setindex(z, s, [0, 4]);
      assert.deepEqual(flat(await down(z)), [1, 1, 1, 1, 0, 0, 0, 0, 0]);
    });

    test(`GPUArrays base.jl:284 "map" (map(+), map!(-), map!(*) of three) ${dt}`, async () => {
      const [ha, hb, hc, hd] = [r([10], 1), r([10], 2), r([10], 3), r([10], 4)];
      const [a, b, c, d] = (await Promise.all([ha, hb, hc, hd].map(up))) as [
        AnyArray,
        AnyArray,
        AnyArray,
        AnyArray,
      ];
      const s = stored(dt);
      assert.deepEqual(
        flat(await down(await map((p, q) => p + q, a, b))),
        flat(ha).map((v, i) => s(v + (hb.data[i] as number))),
      );
      await broadcastInto(a, (q) => -q, b);
      assert.deepEqual(
        flat(await down(a)),
        flat(hb).map((v) => -v),
      );
      await broadcastInto(a, (p, q, t) => p * q * t, b, c, d);
      close(
        flat(await down(a)),
        flat(hb).map((v, i) => v * (hc.data[i] as number) * (hd.data[i] as number)),
        rtolOf(dt),
        'map!(*, a, b, c, d)',
      );
    });

    test(`GPUArrays base.jl:344 "copy" (getindex with ':' is a copy) ${dt}`, async () => {
      const a = await up(array([1], { dtype: dt }));
      const b = await getindex(a, ':');
      await setindex(b, 0, ':');
      assert.deepEqual(flat(await down(b)), [0]);
      assert.deepEqual(flat(await down(a)), [1]);
    });

    test(`GPUArrays base.jl:386 "view" (writes through, a copy does not, 3-d slices, bounds) ${dt}`, async () => {
      const h = r([5], 386);
      const x = await up(h);
      // y = x[2:4]; y .= 1 leaves x as it was.
      await setindex(await getindex(x, [1, 4]), 1, ':');
      assert.deepEqual(flat(await down(x)), flat(h));
      // y = view(x, 2:4); y .= 1 writes into x.
      await setindex(await view(x, [1, 4]), 1, ':');
      assert.deepEqual(flat(await down(x)), [h.data[0], 1, 1, 1, h.data[4]]);
      const h3 = r([5, 4, 3], 387);
      const x3 = await up(h3);
      const v = await view(x3, ':', [0, 4], 2);
      assert.deepEqual([...v.shape], [5, 4]);
      assert.deepEqual(flat(await down(await getindex(v, ':', ':'))), pick(h3, [[0, 5], [0, 4], 2]));
      await assert.rejects(view(x3, ':', ':', [0, 10]), BoundsError);
      // x[1, :] .= 42 on a 1×1 array (parentindices conversion).
      const one = await up(zeros([1, 1], dt));
      await setindex(await view(one, 0, ':'), 42, ':');
      assert.deepEqual(flat(await down(one)), [42]);
    });

    test(`GPUArrays base.jl:406 "selectdim" (view(x, :, :, 1)) ${dt}`, async () => {
      const h = r([2, 2, 2], 406);
      const v = await view(await up(h), ':', ':', 0);
      assert.deepEqual([...v.shape], [2, 2]);
      assert.deepEqual(flat(await down(await getindex(v, ':', ':'))), pick(h, [[0, 2], [0, 2], 0]));
    });

    test(`GPUArrays base.jl:431 "GPU array source" and :438 "CPU array source" (view with an index array) ${dt}`, async () => {
      const h = r([3], 431);
      const a = await up(h);
      const i = Int32Array.of(2, 0);
      for (const idx of [i, i.subarray(1, 2)]) {
        const v = await view(a, idx);
        assert.deepEqual(
          flat(await down(await getindex(v, ':'))),
          Array.from(idx, (k) => h.data[k] as number),
        );
      }
    });

    test(`GPUArrays base.jl:451 "mixed range contiguity" (values of contiguous and strided views) ${dt}`, async () => {
      const hA = r([5, 4], 451);
      const hB = r([5, 4, 3], 452);
      const [A, B] = [await up(hA), await up(hB)];
      const two: [number, number][][] = [
        [
          [0, 1],
          [0, 1],
        ],
        [
          [0, 4],
          [0, 2],
        ],
        [
          [0, 5],
          [1, 3],
        ],
        [
          [0, 2],
          [0, 2],
        ],
        [
          [0, 1],
          [1, 3],
        ],
      ];
      for (const idx of two) {
        const v = await view(A, ...idx);
        assert.deepEqual(
          flat(await down(await getindex(v, ':', ':'))),
          pick(hA, idx),
          `A[${JSON.stringify(idx)}]`,
        );
      }
      const three: ([number, number] | number)[][] = [
        [
          [0, 5],
          [1, 3],
          [0, 1],
        ],
        [[0, 5], [1, 3], 1],
        [
          [0, 5],
          [0, 4],
          [1, 3],
        ],
        [
          [0, 5],
          [0, 1],
          [0, 2],
        ],
        [
          [0, 5],
          [0, 2],
          [0, 2],
        ],
        [
          [0, 2],
          [0, 2],
          [0, 1],
        ],
      ];
      for (const idx of three) {
        const v = await view(B, ...idx);
        const whole = v.shape.map(() => ':' as const);
        assert.deepEqual(
          flat(await down(await getindex(v, ...whole))),
          pick(hB, idx),
          `B[${JSON.stringify(idx)}]`,
        );
      }
    });

    test(`GPUArrays construction.jl:103 "convenience" (fill! is setindex with a number) ${dt}`, async () => {
      const A = await up(r([3], 103));
      const b = stored(dt)(0.625);
      await setindex(A, b, ':');
      assert.equal(A.dtype, dt);
      assert.deepEqual(flat(await down(A)), [b, b, b]);
    });

    test(`GPUArrays construction.jl:143 "conversions" (uploads keep shape, dtype and values) ${dt}`, async () => {
      const Bc = rand([10, 10], { seed: 143 });
      for (let i = 0; i < Bc.size; i++) Bc.data[i] = Math.round((Bc.data[i] as number) * 10);
      const ints = array(
        Array.from({ length: 27 }, (_, k) => ((k * 53) % 256) - 128),
        { shape: [3, 3, 3], dtype: dt },
      );
      for (const src of [array(Array.from(Bc.data), { shape: [10, 10], dtype: dt }), r([10], 144), ints]) {
        const B = await up(src);
        assert.deepEqual([...B.shape], [...src.shape]);
        assert.equal(B.dtype, dt);
        assert.deepEqual(flat(await down(B)), flat(src));
      }
    });

    test(`GPUArrays jld2ext.jl:1 "ext/jld2" (save and load keep shape, dtype and values; .npy here) ${dt}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'darray-suite-'));
      try {
        for (const shape of [[2], [2, 2], [2, 2, 2]]) {
          const x = await up(r(shape, shape.length));
          const file = join(dir, 'test.npy');
          await save(file, x);
          const y = await up(await load(file));
          assert.equal(y.backend, x.backend);
          assert.equal(y.dtype, dt);
          assert.deepEqual([...y.shape], shape);
          assert.deepEqual(flat(await down(y)), flat(await down(x)));
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
}

/** A host identity matrix (the suite's `I`), uploaded like any other operand. */
function identity(n: number, dt: DType): NDArray {
  const I = zeros([n, n], dt);
  for (let i = 0; i < n; i++) I.set(1, i, i);
  return I;
}
