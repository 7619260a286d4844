/**
 * The suite's indexing cases: getindex, setindex and view on every array type, ported test by test
 * from GPUArrays.jl (test/testsuite/indexing.jl) and DistributedArrays.jl (test/darray.jl), each
 * named after its testset and line, plus this library's own forms (negative steps, bounds errors).
 * Expected values come from plain loops over host arrays (`pick`), independent of any kernel.
 */
import assert from 'node:assert/strict';
import {
  type AnyArray,
  array,
  collect,
  type DType,
  getindex,
  type NDArray,
  rand,
  setindex,
  view,
  zeros,
} from '../array/index.js';
import { BoundsError } from '../errors.js';

/** What the suite gives its case files: the case definer, the upload and download, the dtypes. */
export interface SuiteContext {
  test: (name: string, body: () => Promise<void>) => void;
  up: (a: NDArray) => Promise<AnyArray>;
  down: (x: AnyArray) => Promise<NDArray>;
  dtypes: readonly DType[];
}

/** Positions per dimension: a number (dropped) or a list. */
type Pick = number | number[];

/** Reference getindex by loops: the elements of `a` at the given positions, row-major. */
function pick(a: NDArray, idx: readonly Pick[]): number[] {
  const out: number[] = [];
  const rec = (k: number, at: number[]) => {
    if (k === idx.length) {
      out.push(a.get(...at));
      return;
    }
    const p = idx[k] as Pick;
    for (const i of typeof p === 'number' ? [p] : p) rec(k + 1, [...at, i]);
  };
  rec(0, []);
  return out;
}

const span = (start: number, stop: number, step = 1): number[] => {
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
};

/** Small integers, exact in every dtype, so comparisons can be exact. */
function ints(shape: number[], dtype: DType, seed: number): NDArray {
  const r = rand(shape, { dtype, seed });
  for (let i = 0; i < r.size; i++) r.data[i] = Math.floor((r.data[i] as number) * 1000);
  return r;
}

const flat = (x: NDArray): number[] => Array.from(x.data as ArrayLike<number>);
const dims = (x: { shape: readonly number[] }): number[] => [...x.shape];

/** Defines the indexing cases through the suite's `test`. */
export function indexingCases({ test, up, down, dtypes }: SuiteContext): void {
  for (const dt of dtypes) {
    test(`GPUArrays indexing.jl:25 "getindex with T" ${dt}`, async () => {
      const x = ints([32], dt, 1);
      const src = await up(x);
      for (let i = 0; i < 32; i += 7) assert.equal(await getindex(src, i), x.get(i));
      assert.deepEqual(flat(await down(await getindex(src, [0, 3]))), pick(x, [span(0, 3)]));
      assert.deepEqual(flat(await down(await getindex(src, [2, 32]))), pick(x, [span(2, 32)]));
    });

    test(`GPUArrays indexing.jl:35 "setindex! with T" ${dt}`, async () => {
      const src = await up(zeros([7], dt));
      for (let i = 0; i < 7; i += 3) await setindex(src, i + 1, i);
      assert.deepEqual(flat(await down(src)), [1, 0, 0, 4, 0, 0, 7]);
      await setindex(src, array([77, 22, 11], { dtype: dt }), [0, 3]);
      assert.deepEqual(flat(await down(await getindex(src, [0, 3]))), [77, 22, 11]);
    });

    test(`GPUArrays indexing.jl:47 "issue #42" (linear and n-d scalar reads) ${dt}`, async () => {
      const Ac = ints([2, 2], dt, 2);
      const A = await up(Ac);
      assert.equal(await getindex(A, 0), Ac.data[0]);
      assert.equal(await getindex(A, 3), Ac.data[3]);
      assert.equal(await getindex(A, 0, 0), Ac.get(0, 0));
      assert.equal(await getindex(A, 1, 0), Ac.get(1, 0));
    });

    test(`GPUArrays indexing.jl:55 "get/setindex!" ${dt}`, async () => {
      const x = await up(zeros([2], dt));
      assert.equal(typeof (await getindex(x, 0)), 'number');
      await setindex(x, 1, 0);
      assert.deepEqual(flat(await down(x)), [1, 0]);
      const y = await up(zeros([2, 2], dt));
      await setindex(y, 1, 0, 0);
      assert.deepEqual(flat(await down(y)), [1, 0, 0, 0]);
    });

    test(`GPUArrays indexing.jl:66 "sliced setindex" ${dt}`, async () => {
      const x = await up(zeros([6, 6, 3, 2], dt));
      const yc = ints([4, 4, 3, 2], dt, 3);
      await setindex(x, await up(yc), [1, 5], [1, 5], ':', ':');
      const got = await down(await getindex(x, [1, 5], [1, 5], ':', ':'));
      assert.deepEqual(dims(got), [4, 4, 3, 2]);
      assert.deepEqual(flat(got), flat(yc));
      // Everything outside the slice is still zero.
      const all = await down(x);
      let outside = 0;
      for (let i = 0; i < 6; i++)
        for (let j = 0; j < 6; j++)
          if (i < 1 || i >= 5 || j < 1 || j >= 5)
            for (const v of pick(all, [i, j, span(0, 3), span(0, 2)])) outside += Math.abs(v);
      assert.equal(outside, 0);
    });

    test(`GPUArrays indexing.jl:73 "sliced setindex, CPU source" ${dt}`, async () => {
      const x = await up(zeros([2, 3, 4], dt));
      const y = ints([2, 3], dt, 4);
      await setindex(x, y, ':', ':', 1);
      assert.deepEqual(flat(await down(await getindex(x, ':', ':', 1))), flat(y));
      assert.deepEqual(flat(await down(await getindex(x, ':', ':', 2))), new Array(6).fill(0));
    });

    test(`GPUArrays indexing.jl:80 "empty array" ${dt}`, async () => {
      const A1 = await up(zeros([10], dt));
      const e1 = await getindex(A1, new Int32Array(0));
      assert.deepEqual(dims(await down(e1)), [0]);
      const A = await up(zeros([10, 10], dt));
      for (const other of [':', [0, 5], 4] as const) {
        const want = typeof other === 'number' ? [] : [other === ':' ? 10 : 5];
        assert.deepEqual(dims(await down(await getindex(A, new Int32Array(0), other))), [0, ...want]);
        assert.deepEqual(dims(await down(await getindex(A, other, new Int32Array(0)))), [...want, 0]);
      }
      const a = ints([2, 2], dt, 5);
      const x = await up(a);
      await setindex(x, zeros([2, 0], dt), ':', [1, 1]);
      assert.deepEqual(flat(await down(x)), flat(a));
    });

    test(`GPUArrays indexing.jl:104 "GPU source" (integer-array index) ${dt}`, async () => {
      const a = ints([3], dt, 6);
      const i = Int32Array.of(2, 0);
      assert.deepEqual(flat(await down(await getindex(await up(a), i))), pick(a, [[2, 0]]));
      assert.deepEqual(flat(await down(await getindex(await up(a), i.subarray(1, 2)))), pick(a, [[0]]));
    });

    test(`GPUArrays indexing.jl:112 "CPU source" (a[i, :]) ${dt}`, async () => {
      const a = ints([3, 4], dt, 7);
      const i = Int32Array.of(1, 2, 2, 0);
      const got = await down(await getindex(await up(a), i, ':'));
      assert.deepEqual(dims(got), [4, 4]);
      assert.deepEqual(flat(got), pick(a, [[1, 2, 2, 0], span(0, 4)]));
    });

    test(`GPUArrays indexing.jl:121 "JuliaGPU/CUDA.jl#461: sliced setindex" ${dt}`, async () => {
      const X = await up(zeros([2, 2], dt));
      await setindex(X, array([1, 1], { dtype: dt }), 0, ':');
      assert.deepEqual(flat(await down(X)), [1, 1, 0, 0]);
    });

    test(`GPUArrays indexing.jl:125 "Broadcasting exceptions" (shape mismatch) ${dt}`, async () => {
      const x = await up(zeros([10, 10, 2, 2], dt));
      const y = await up(zeros([5, 5, 2, 2], dt));
      await assert.rejects(
        setindex(x, y, [0, 9], [0, 9], ':', ':'),
        /the value has shape \[5, 5, 2, 2\] but the indices select shape \[9, 9, 2, 2\]/,
      );
    });

    test(`GPUArrays indexing.jl:132 "mismatching axes/indices" ${dt}`, async () => {
      const a = ints([1, 1], dt, 8);
      const x = await up(a);
      const lin = await down(await getindex(x, [0, 1]));
      assert.deepEqual([dims(lin), flat(lin)], [[1], flat(a)]);
      const both = await down(await getindex(x, [0, 1], [0, 1]));
      assert.deepEqual([dims(both), flat(both)], [[1, 1], flat(a)]);
      // Julia accepts a trailing index of 1:1 beyond the dimensions; here the count must match.
      await assert.rejects(getindex(x, [0, 1], [0, 1], [0, 1]), /takes 2 indices/);
    });

    test(`GPUArrays indexing.jl:302 "issue #587" (Q[:] = … on a strided view) ${dt}`, async () => {
      const P = await up(array(new Array(4 * 3 * 2).fill(1), { dtype: dt, shape: [4, 3, 2] }));
      const Q = await view(P, [0, 4, 2], ':', ':');
      await setindex(Q, array(new Array(Q.shape.reduce((a, b) => a * b, 1)).fill(2), { dtype: dt }), ':');
      const got = await down(P);
      const want: number[] = [];
      for (let i = 0; i < 4; i++) for (let k = 0; k < 6; k++) want.push(i % 2 === 0 ? 2 : 1);
      assert.deepEqual(flat(got), want);
    });

    test(`negative steps and step ranges ${dt}`, async () => {
      const a = ints([5, 7], dt, 9);
      const x = await up(a);
      const got = await down(await getindex(x, [4, -1, -2], [1, 7, 3]));
      assert.deepEqual(dims(got), [3, 2]);
      assert.deepEqual(flat(got), pick(a, [span(4, -1, -2), span(1, 7, 3)]));
      const rev = await down(await getindex(x, 2, [6, -1, -1]));
      assert.deepEqual(flat(rev), pick(a, [2, span(6, -1, -1)]));
      await setindex(x, array([-1, -2, -3], { dtype: dt }), [4, -1, -2], 0);
      assert.deepEqual(flat(await down(await getindex(x, ':', 0))), [-3, a.get(1, 0), -2, a.get(3, 0), -1]);
    });

    test(`setindex of an array into itself reads the old values ${dt}`, async () => {
      const a = ints([6], dt, 16);
      const want = flat(a).reverse(); // before the write: on the CPU, x is a itself
      const x = await up(a);
      await setindex(x, x, [5, -1, -1]);
      assert.deepEqual(flat(await down(x)), want);
    });

    test(`linear indexing over an n-d array, row-major ${dt}`, async () => {
      const a = ints([3, 4], dt, 10);
      const x = await up(a);
      assert.deepEqual(
        flat(await down(await getindex(x, [1, 12, 5]))),
        [1, 6, 11].map((k) => a.data[k] as number),
      );
      assert.deepEqual(flat(await down(await getindex(x, Int32Array.of(11, 0)))), [a.data[11], a.data[0]]);
      await setindex(x, 0, [0, 12, 4]);
      const after = await down(x);
      assert.deepEqual(
        [0, 4, 8].map((k) => after.data[k]),
        [0, 0, 0],
      );
      assert.equal(after.data[1], a.data[1]);
    });

    test(`bounds errors name the dimension, the index and the valid range ${dt}`, async () => {
      const x = await up(zeros([4, 3], dt));
      const err = (e: unknown) =>
        e instanceof BoundsError &&
        e.dim === 1 &&
        e.index === 3 &&
        e.extent === 3 &&
        /dimension 1/.test(e.message) &&
        /0 to 2/.test(e.message);
      await assert.rejects(getindex(x, 0, 3), err);
      await assert.rejects(
        getindex(x, [0, 5], ':'),
        /index 4 \(of \[0, 5\]\) is out of bounds in dimension 0.*valid indices are 0 to 3/,
      );
      await assert.rejects(setindex(x, 1, Int32Array.of(0, 9), 0), BoundsError);
      await assert.rejects(getindex(x, 12), /linear index over all 12 elements/);
      await assert.rejects(getindex(x, 0, [0, 3, 0]), /step .* must not be 0/);
      await assert.rejects(getindex(x, 0, [0, 1, 2, 3] as never), /Int32Array/);
    });

    test(`view shares the data: writes through it reach the parent ${dt}`, async () => {
      const a = ints([4, 5], dt, 11);
      const x = await up(a);
      const col = await view(x, ':', 2);
      assert.deepEqual(dims(col), [4]);
      assert.deepEqual(flat(await collect(col)), pick(a, [span(0, 4), 2]));
      await setindex(col, 0, [1, 3]);
      assert.deepEqual(flat(await down(await getindex(x, ':', 2))), [a.get(0, 2), 0, 0, a.get(3, 2)]);
      // A view of a view is one view of the parent.
      const sub = await view(await view(x, [1, 4], ':'), 1, [4, -1, -2]);
      assert.deepEqual(flat(await collect(sub)), pick(await down(x), [2, span(4, -1, -2)]));
      assert.equal(await getindex(sub, 1), (await down(x)).get(2, 2));
    });

    test(`DistributedArrays darray.jl:185 "test construct Array from (Sub)DArray" ${dt}`, async () => {
      const A = ints([20, 20], dt, 12);
      const D = await up(A);
      assert.deepEqual(
        flat(await down(await getindex(D, [0, 15], [0, 15]))),
        pick(A, [span(0, 15), span(0, 15)]),
      );
      assert.deepEqual(flat(await down(await getindex(D, 3, [2, 17]))), pick(A, [3, span(2, 17)]));
      assert.deepEqual(flat(await down(await getindex(D, [2, 17], 19))), pick(A, [span(2, 17), 19]));
      const S4 = zeros([4], dt);
      await setindex(S4, await getindex(D, [2, 4], [8, 10]), ':');
      assert.deepEqual(flat(S4), pick(A, [span(2, 4), span(8, 10)]));
      const S5 = zeros([2, 2], dt);
      await setindex(S5, await getindex(D, 0, [0, 4]), ':', [0, 2]);
      assert.deepEqual(flat(S5), pick(A, [0, span(0, 4)]));
    });

    test(`DistributedArrays darray.jl:431 "test lastindex" ${dt}`, async () => {
      const A = ints([23, 23], dt, 13);
      assert.equal(await getindex(await up(A), 23 * 23 - 1), A.data[23 * 23 - 1]);
    });

    test(`DistributedArrays darray.jl:740 "makelocal" (views of columns, rows, blocks) ${dt}`, async () => {
      const A = ints([6, 6], dt, 14);
      const dA = await up(A);
      for (let i = 0; i < 6; i += 2) {
        assert.deepEqual(flat(await collect(await view(dA, ':', i))), pick(A, [span(0, 6), i]));
        assert.deepEqual(flat(await collect(await view(dA, [i, i + 1], ':'))), pick(A, [[i], span(0, 6)]));
      }
      assert.deepEqual(
        flat(await collect(await view(dA, [0, 5], [0, 5]))),
        pick(A, [span(0, 5), span(0, 5)]),
      );
    });

    test(`DistributedArrays darray.jl:759 "test convert from subdarray" ${dt}`, async () => {
      const a = ints([20, 20], dt, 15);
      const x = await up(a);
      const s = await view(x, [0, 5], [4, 8]);
      const copy = await getindex(s, ':', ':');
      assert.deepEqual(flat(await down(copy)), pick(a, [span(0, 5), span(4, 8)]));
      const e = await view(x, [5, 5], [4, 8]);
      assert.deepEqual(dims(e), [0, 4]);
      assert.deepEqual(dims(await down(await getindex(e, ':', ':'))), [0, 4]);
    });

    test(`DistributedArrays darray.jl:1067 "fill!" (setindex with ':') ${dt}`, async () => {
      const d = await up(zeros([6, 5], dt));
      await setindex(d, 3, ':', ':');
      assert.ok(flat(await down(d)).every((v) => v === 3));
    });
  }
}
