/**
 * The shape ops' cases of the shared array suite (reshape, cat/vcat/hcat, repeat, permutedims,
 * circshift, similar, eye), ported from GPUArrays.jl's test/testsuite/base.jl and construction.jl
 * and named after the testset and line there. Expected values come from plain loops over the host
 * input here, never from a kernel.
 */
import assert from 'node:assert/strict';
import {
  type AnyArray,
  array,
  cat,
  circshift,
  type DType,
  eye,
  hcat,
  type NDArray,
  permutedims,
  rand,
  repeat,
  reshape,
  similar,
  vcat,
} from '../array/index.js';

/** What the shape cases need from runArraySuite. */
export interface ShapeCaseContext {
  /** Defines one case (honouring the suite's skip list). */
  test(name: string, body: () => Promise<void>): void;
  /** Moves a host array onto the backend under test. */
  up(a: NDArray): Promise<AnyArray>;
  /** Brings a result back, checking its backend. */
  down(x: AnyArray): Promise<NDArray>;
  dtypes: readonly DType[];
  /** The backend name arrays of this type report. */
  backend: string;
  /** Makes an identity matrix on the backend (default: eye with { backend }). */
  eye?: (n: number, opts: { m?: number; value?: number; dtype: DType }) => Promise<AnyArray>;
}

const coordsOf = (flat: number, shape: readonly number[]): number[] => {
  const idx: number[] = [];
  let rem = flat;
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = rem % (shape[k] as number);
    rem = Math.floor(rem / (shape[k] as number));
  }
  return idx;
};
const flatOf = (idx: readonly number[], shape: readonly number[]): number =>
  idx.reduce((f, i, k) => f * (shape[k] as number) + i, 0);
const sizeOfShape = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The result's elements equal `want(idx)` at every index (float32 results compared with fround). */
function expectEach(got: NDArray, shape: readonly number[], want: (idx: number[]) => number): void {
  assert.deepEqual([...got.shape], [...shape], 'shape');
  const round = got.dtype === 'float32' ? Math.fround : (x: number) => x;
  for (let f = 0; f < got.size; f++) {
    const idx = coordsOf(f, shape);
    const w = round(want(idx));
    if (got.data[f] !== w) throw new Error(`element [${idx.join(', ')}]: got ${got.data[f]}, want ${w}`);
  }
}

/** The element of host array `a` at `idx`, with missing trailing axes read as 0 (Julia's trailing 1s). */
const at = (a: NDArray, idx: readonly number[]): number =>
  a.data[
    flatOf(
      a.shape.map((_, k) => idx[k] ?? 0),
      a.shape,
    )
  ] as number;

/** Defines the shape cases for one array type. */
export function shapeCases(ctx: ShapeCaseContext): void {
  const { test, up, down } = ctx;
  for (const dt of ctx.dtypes) {
    let seed = 100;
    const r = (shape: number[]) => rand(shape, { dtype: dt, seed: seed++ });

    test(`GPUArrays base.jl:236 "reshape" ${dt}`, async () => {
      const a = r([10]);
      for (const s of [[10], [10, 1], [1, 10]])
        expectEach(await down(await reshape(await up(a), s)), s, (idx) => a.data[flatOf(idx, s)] as number);
      // Row-major, as NumPy: element (i, j, k) of a 2×3×4 array is flat 12i + 4j + k wherever it goes.
      const b = r([2, 3, 4]);
      expectEach(
        await down(await reshape(await up(b), [4, -1])),
        [4, 6],
        (idx) => b.data[idx[0]! * 6 + idx[1]!] as number,
      );
      await assert.rejects(reshape(await up(a), [10, 2]), /10 elements; shape \[10, 2\] cannot hold them/);
    });

    test(`GPUArrays base.jl:216 "cat" (hcat) ${dt}`, async () => {
      const cases: [number[], number[]][] = [
        [[3], [3]],
        [[3], [3, 3]],
        [[3, 3], [3]],
        [
          [3, 3],
          [3, 3],
        ],
      ];
      for (const [sa, sb] of cases) {
        const a = r(sa);
        const b = r(sb);
        const wa = sa[1] ?? 1;
        const want = [3, wa + (sb[1] ?? 1)];
        expectEach(await down(await hcat(await up(a), await up(b))), want, ([i, j]) =>
          j! < wa ? at(a, [i!, j!]) : at(b, [i!, j! - wa]),
        );
      }
    });

    test(`GPUArrays base.jl:225 "cat" (vcat) ${dt}`, async () => {
      const a = r([3]);
      const b = r([3]);
      expectEach(await down(await vcat(await up(a), await up(b))), [6], ([i]) =>
        i! < 3 ? at(a, [i!]) : at(b, [i! - 3]),
      );
      const A = r([3, 3]);
      const B = r([2, 3]);
      expectEach(await down(await vcat(await up(A), await up(B))), [5, 3], ([i, j]) =>
        i! < 3 ? at(A, [i!, j!]) : at(B, [i! - 3, j!]),
      );
    });

    test(`GPUArrays base.jl:232 "cat" (dims=4, a new axis) ${dt}`, async () => {
      const a = r([3, 4]);
      const b = r([3, 4]);
      // Julia's dims=4 is 0-based axis 3: two axes of 1 are added, then the arrays stack along the last.
      expectEach(
        await down(await cat([await up(a), await up(b)], { dims: 3 })),
        [3, 4, 1, 2],
        ([i, j, , l]) => (l === 0 ? at(a, [i!, j!]) : at(b, [i!, j!])),
      );
      await assert.rejects(
        cat([await up(a), await up(r([2, 3]))], { dims: 0 }),
        /shapes must match except along axis 0/,
      );
    });

    test(`GPUArrays base.jl:291 "repeat" (counts) ${dt}`, async () => {
      const x = r([10]);
      const m = r([5, 4]);
      const cases: [NDArray, number[]][] = [
        [x, [5, 6]],
        [x, [5]],
        [m, [5]],
        [m, [4, 3]],
        [x, [0]],
        [m, [0]],
        [m, [4, 0]],
      ];
      for (const [a, counts] of cases) {
        const nd = Math.max(a.ndim, counts.length);
        const src = [...a.shape, ...new Array<number>(nd - a.ndim).fill(1)];
        const shape = src.map((n, k) => n * (counts[k] ?? 1));
        expectEach(await down(await repeat(await up(a), counts)), shape, (idx) =>
          at(
            a,
            idx.map((i, k) => i % (src[k] as number)),
          ),
        );
      }
    });

    test(`GPUArrays base.jl:308 "repeat" (inner and outer) ${dt}`, async () => {
      const x = r([10]);
      const xmat = r([2, 10]);
      const xarr = r([3, 2, 5]);
      const cases: [NDArray, number[], number[]][] = [
        [x, [2], []],
        [xmat, [2, 3], []],
        [xarr, [2, 3, 2], []],
        [x, [], [2]],
        [xmat, [], [2, 3]],
        [xarr, [], [2, 3, 2]],
        [x, [2], [2]],
        [xmat, [2, 3], [2, 3]],
        [xarr, [2, 1, 2], [2, 1, 2]],
        [x, [2, 1, 3], []],
        [x, [2, 1, 3], [2, 2, 3]],
        [xmat, [3, 1, 2], []],
        [xmat, [], [2, 1, 3]],
      ];
      for (const [a, inner, outer] of cases) {
        const nd = Math.max(a.ndim, inner.length, outer.length);
        const src = [...a.shape, ...new Array<number>(nd - a.ndim).fill(1)];
        const shape = src.map((n, k) => n * (inner[k] ?? 1) * (outer[k] ?? 1));
        const got = await down(await repeat(await up(a), { inner, outer }));
        expectEach(got, shape, (idx) =>
          at(
            a,
            idx.map((i, k) => Math.floor(i / (inner[k] ?? 1)) % (src[k] as number)),
          ),
        );
      }
    });

    test(`GPUArrays base.jl:334 "permutedims" ${dt}`, async () => {
      const a = r([4, 4]);
      expectEach(await down(await permutedims(await up(a), [0, 1])), [4, 4], (idx) => at(a, idx));
      expectEach(await down(await permutedims(await up(a))), [4, 4], ([i, j]) => at(a, [j!, i!]));
      const b = r([3, 4, 5]);
      expectEach(await down(await permutedims(await up(b), [2, 1, 0])), [5, 4, 3], ([i, j, k]) =>
        at(b, [k!, j!, i!]),
      );
      expectEach(await down(await permutedims(await up(b), [1, 2, 0])), [4, 5, 3], ([i, j, k]) =>
        at(b, [k!, i!, j!]),
      );
      await assert.rejects(permutedims(await up(b), [0, 0, 1]), /perm must be a permutation of 0\.\.2/);
    });

    test(`GPUArrays base.jl:341 "circshift" ${dt}`, async () => {
      const a = array(
        Array.from({ length: 16 }, (_, i) => i + 1),
        { dtype: dt, shape: [4, 4] },
      );
      const mod = (v: number, n: number) => ((v % n) + n) % n;
      for (const s of [[0, 1], [1], [-1, 2], [5, -7]]) {
        expectEach(await down(await circshift(await up(a), s)), [4, 4], ([i, j]) =>
          at(a, [mod(i! - (s[0] ?? 0), 4), mod(j! - (s[1] ?? 0), 4)]),
        );
      }
      const v = r([7]);
      expectEach(await down(await circshift(await up(v), 3)), [7], ([i]) => at(v, [mod(i! - 3, 7)]));
    });

    test(`GPUArrays construction.jl:52 "similar" ${dt}`, async () => {
      const B = await up(r([10]));
      const s1 = await similar(B, { shape: [11, 15] });
      assert.equal(s1.backend, ctx.backend);
      expectEach(await down(s1), [11, 15], () => 0);
      const s2 = await similar(B);
      assert.deepEqual([...s2.shape], [10]);
      assert.equal(s2.dtype, B.dtype);
      expectEach(await down(s2), [10], () => 0);
      const s3 = await similar(B, { shape: [7] });
      expectEach(await down(s3), [7], () => 0);
    });

    test(`GPUArrays construction.jl:177 "uniformscaling" ${dt}`, async () => {
      const make = ctx.eye ?? ((n, o) => eye(n, { ...o, backend: ctx.backend }));
      const cases: [number, number, number][] = [
        [4, 2, 1],
        [2, 4, 3],
        [5, 5, 1],
        [0, 3, 1],
      ];
      for (const [n, m, value] of cases) {
        const I = await make(n, { m, value, dtype: dt });
        assert.equal(I.backend, ctx.backend);
        expectEach(await down(I), [n, m], ([i, j]) => (i === j ? value : 0));
      }
    });

    test(`GPUArrays construction.jl:205 "JuliaGPU/GPUArrays.jl#439" ${dt}`, async () => {
      const make = ctx.eye ?? ((n, o) => eye(n, { ...o, backend: ctx.backend }));
      expectEach(await down(await make(50, { m: 30, dtype: dt })), [50, 30], ([i, j]) => (i === j ? 1 : 0));
    });
  }
  // Large enough that a kernel's flat index must cross many workgroups.
  test('reshape and permutedims agree with loops on a larger array', async () => {
    const dt = ctx.dtypes[0] ?? 'float64';
    const a = rand([17, 13, 3], { dtype: dt, seed: 7 });
    const p = await down(await permutedims(await reshape(await up(a), [13, 17, 3]), [2, 0, 1]));
    expectEach(p, [3, 13, 17], ([i, j, k]) => a.data[flatOf([j!, k!, i!], [13, 17, 3])] as number);
    assert.equal(sizeOfShape(p.shape), 17 * 13 * 3);
  });
}
