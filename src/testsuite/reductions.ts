/**
 * The suite's cases for reductions along dims, statistics, searches and comparisons, ported from
 * GPUArrays.jl (test/testsuite/reductions.jl, statistics.jl) and DistributedArrays.jl
 * (test/darray.jl), each named after its testset and line. Expected values come from plain loops
 * here. What cannot map is listed in test/suite/UNMAPPED-reductions.md.
 */
import assert from 'node:assert/strict';
import {
  type AnyArray,
  all,
  any,
  argmax,
  argmin,
  array,
  type DType,
  equal,
  findfirst,
  findmax,
  findmin,
  isequal,
  mapreduce,
  max,
  mean,
  min,
  NDArray,
  prod,
  rand,
  reduce,
  std,
  sum,
  variance,
} from '../array/index.js';

/** What the reduction cases need from the suite (see runArraySuite in index.ts). */
export interface ReductionContext {
  test(name: string, body: () => Promise<void>): void;
  up(a: NDArray): Promise<AnyArray>;
  down(x: AnyArray): Promise<NDArray>;
  dtypes: readonly DType[];
  rtolOf(dt: DType): number;
}

type F1 = (v: number) => number;
type F2 = (a: number, b: number) => number;

/** Reference fold along `dims` by visiting every element in row-major order (no kernel). */
function refReduce(
  a: NDArray,
  dims: readonly number[],
  f: F1,
  op: F2,
  init?: number,
): { shape: number[]; data: number[] } {
  const shape = a.shape.map((n, k) => (dims.includes(k) ? 1 : n));
  const size = shape.reduce((s, n) => s * n, 1);
  const acc: (number | undefined)[] = new Array(size).fill(undefined);
  const idx = new Array<number>(a.ndim).fill(0);
  for (let flat = 0; flat < a.size; flat++) {
    let rem = flat;
    for (let k = a.ndim - 1; k >= 0; k--) {
      idx[k] = rem % (a.shape[k] as number);
      rem = Math.floor(rem / (a.shape[k] as number));
    }
    let o = 0;
    for (let k = 0; k < a.ndim; k++)
      o = o * (shape[k] as number) + (dims.includes(k) ? 0 : (idx[k] as number));
    const v = f(a.data[flat] as number);
    const cur = acc[o];
    acc[o] = cur === undefined ? (init === undefined ? v : op(init, v)) : op(cur, v);
  }
  return { shape, data: acc.map((v) => v ?? init ?? 0) };
}

/** Reference findmax/findmin along dims: value and first linear index, NaN winning. */
function refFind(a: NDArray, dims: readonly number[], which: 'max' | 'min') {
  const pairs = refReduce(
    new NDArray(
      Float64Array.from(a.data, (_, i) => i),
      a.shape,
    ),
    dims,
    (i) => i,
    (bi, i) => {
      const b = a.data[bi] as number;
      const v = a.data[i] as number;
      if (Number.isNaN(b)) return bi;
      if (Number.isNaN(v)) return i;
      return (which === 'max' ? v > b : v < b) ? i : bi;
    },
  );
  return { shape: pairs.shape, values: pairs.data.map((i) => a.data[i] as number), indices: pairs.data };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what = ''): void {
  assert.equal(got.length, want.length, `${what} number of elements`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${what} element ${i}: got ${g}, want NaN`);
    else if (Math.abs(g - w) > rtol * Math.max(1, Math.abs(w)))
      throw new Error(`${what} element ${i}: got ${g}, want ${w} (rtol ${rtol})`);
  }
}

const ALL_DIMS_3D: readonly (readonly number[])[] = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

/** Small integers 1..10 as GPUArrays' `rand(1:10, sz)`, so float32 sums are exact. */
function ints(shape: number[], dt: DType, seed: number): NDArray {
  const r = rand(shape, { dtype: dt, seed });
  for (let i = 0; i < r.size; i++) r.data[i] = 1 + Math.floor((r.data[i] as number) * 10);
  return r;
}

/** Defines the reduction cases for each dtype. */
export function reductionCases({ test, up, down, dtypes, rtolOf }: ReductionContext): void {
  const add: F2 = (a, b) => a + b;
  const mulF: F2 = (a, b) => a * b;
  const id: F1 = (v) => v;
  const along = async (
    x: AnyArray | Promise<AnyArray>,
    want: { shape: number[]; data: number[] },
    rtol: number,
    what: string,
  ) => {
    const got = await down(await x);
    assert.deepEqual([...got.shape], want.shape, `${what} shape`);
    close(got.data, want.data, rtol, what);
  };

  for (const dt of dtypes) {
    const rtol = rtolOf(dt) * 10;

    test(`sum with dims returns an array, not a number (dims were ignored) ${dt}`, async () => {
      const a = ints([3, 4], dt, 1);
      const got = await sum(await up(a), { dims: 0 });
      assert.equal(typeof got, 'object', `sum(A, { dims: 0 }) gave ${String(got)}`);
      await along(got, refReduce(a, [0], id, add), rtol, 'sum dims 0');
      assert.equal(typeof (await sum(await up(a))), 'number');
    });

    test(`GPUArrays reductions.jl:99 "sum prod" with dims ${dt}`, async () => {
      const a = rand([4, 5, 3], { dtype: dt, seed: 2 });
      const x = await up(a);
      for (const dims of ALL_DIMS_3D) {
        await along(sum(x, { dims }), refReduce(a, dims, id, add), rtol, `sum dims ${dims}`);
        await along(prod(x, { dims }), refReduce(a, dims, id, mulF), rtol, `prod dims ${dims}`);
      }
      const v = ints([10], dt, 3);
      await along(sum(await up(v), { dims: 0 }), refReduce(v, [0], id, add), rtol, 'sum of a vector');
    });

    test(`GPUArrays reductions.jl:147 "minimum maximum" with dims ${dt}`, async () => {
      const a = rand([4, 5, 3], { dtype: dt, seed: 4 });
      const x = await up(a);
      for (const dims of ALL_DIMS_3D) {
        await along(min(x, { dims }), refReduce(a, dims, id, Math.min), 0, `min dims ${dims}`);
        await along(max(x, { dims }), refReduce(a, dims, id, Math.max), 0, `max dims ${dims}`);
      }
    });

    test(`GPUArrays reductions.jl:60 "mapreduce" with dims and init ${dt}`, async () => {
      const a = ints([3, 4, 2], dt, 5);
      const x = await up(a);
      const twice: F1 = (v) => v + v;
      for (const dims of [[0], [1], [2], [0, 2], [0, 1, 2]]) {
        await along(
          mapreduce(null, 'sum', x, { dims, init: 0 }),
          refReduce(a, dims, id, add, 0),
          rtol,
          `+ ${dims}`,
        );
        await along(
          mapreduce(null, 'prod', x, { dims, init: 1 }),
          refReduce(a, dims, id, mulF, 1),
          rtol,
          `* ${dims}`,
        );
        await along(
          mapreduce(
            (v: number) => v + v,
            (s: number, v: number) => s + v,
            x,
            { dims, init: 0 },
          ),
          refReduce(a, dims, twice, add, 0),
          rtol,
          `x->x+x ${dims}`,
        );
        // reductions.jl:65 reduce(+/*, A; dims, init)
        await along(
          reduce((s: number, v: number) => s + v, x, { dims, init: 0 }),
          refReduce(a, dims, id, add, 0),
          rtol,
          `reduce + ${dims}`,
        );
        await along(
          reduce('prod', x, { dims, init: 1 }),
          refReduce(a, dims, id, mulF, 1),
          rtol,
          `reduce * ${dims}`,
        );
      }
    });

    test(`DistributedArrays darray.jl:319 "test mapreducdim, reducedim on DArrays" ${dt}`, async () => {
      const a = rand([6, 5, 4], { dtype: dt, seed: 6 });
      const x = await up(a);
      const sq: F1 = (t) => t * t;
      for (const dims of ALL_DIMS_3D) {
        await along(
          mapreduce((t: number) => t * t, 'sum', x, { dims }),
          refReduce(a, dims, sq, add),
          rtol,
          `t*t ${dims}`,
        );
        await along(
          mapreduce((t: number) => t * t, 'sum', x, { dims, init: 1 }),
          refReduce(a, dims, sq, add, 1),
          rtol,
          `t*t init ${dims}`,
        );
        await along(
          reduce('prod', x, { dims, init: 2 }),
          refReduce(a, dims, id, mulF, 2),
          rtol,
          `* init 2 ${dims}`,
        );
      }
    });

    test(`DistributedArrays darray.jl:298 "test mapreducedim on DArrays" ${dt}`, async () => {
      const a = ints([13, 11], dt, 7);
      const x = await up(a);
      const sq: F1 = (t) => t * t;
      for (const dims of [[0], [1], [0, 1]])
        await along(
          mapreduce((t: number) => t * t, 'sum', x, { dims }),
          refReduce(a, dims, sq, add),
          rtol,
          `dims ${dims}`,
        );
    });

    test(`DistributedArrays darray.jl:357 "test sum on DArrays" ${dt}`, async () => {
      const a = rand([10, 9], { dtype: dt, seed: 8 });
      const x = await up(a);
      await along(sum(x, { dims: 0 }), refReduce(a, [0], id, add), rtol, 'dims 0');
      await along(sum(x, { dims: 1 }), refReduce(a, [1], id, add), rtol, 'dims 1');
      await assert.rejects(
        sum(x, { dims: -1 }),
        /sum: dims \[-1\] has axis -1 out of range; an array of 2 dimensions has axes 0 to 1/,
      );
      await assert.rejects(sum(x, { dims: 2 }), /axis 2 out of range/);
    });

    test(`order-dependent reducer along axes ${dt}`, async () => {
      // Not associative: the fold must run in order along each result element's elements.
      const a = ints([3, 4, 2], dt, 9);
      const x = await up(a);
      const f: F2 = (s, v) => s - v;
      for (const dims of [[1], [0, 1], [0, 2]])
        await along(
          reduce((s: number, v: number) => s - v, x, { dims }),
          refReduce(a, dims, id, f),
          rtol,
          `s - v ${dims}`,
        );
    });

    test(`GPUArrays statistics.jl:29 "mean" ${dt}`, async () => {
      const a = rand([3, 4, 2], { dtype: dt, seed: 10 });
      const x = await up(a);
      const whole = refReduce(a, [0, 1, 2], id, add).data[0] as number;
      close([await mean(x)], [whole / a.size], rtol, 'mean');
      for (const dims of [[1], [0, 2]]) {
        const s = refReduce(a, dims, id, add);
        const n = dims.reduce((p, d) => p * (a.shape[d] as number), 1);
        await along(
          mean(x, { dims }),
          { shape: s.shape, data: s.data.map((v) => v / n) },
          rtol,
          `mean ${dims}`,
        );
      }
    });

    test(`GPUArrays statistics.jl:11 "std" and :18 "var" ${dt}`, async () => {
      const a = rand([10, 1, 2], { dtype: dt, seed: 11 });
      const x = await up(a);
      const refVar = (dims: number[], corrected: boolean) => {
        const n = dims.reduce((p, d) => p * (a.shape[d] as number), 1);
        const s = refReduce(a, dims, id, add);
        const m = s.data.map((v) => v / n);
        const dev = new NDArray(
          Float64Array.from(a.data, (v, flat) => {
            let o = 0;
            const idx = [Math.floor(flat / 2), 0, flat % 2];
            for (let k = 0; k < 3; k++)
              o = o * (s.shape[k] as number) + (dims.includes(k) ? 0 : (idx[k] as number));
            return (v - (m[o] as number)) ** 2;
          }),
          a.shape,
        );
        const ss = refReduce(dev, dims, id, add);
        return { shape: ss.shape, data: ss.data.map((v) => v / (n - (corrected ? 1 : 0))) };
      };
      close([await variance(x)], refVar([0, 1, 2], true).data, rtol, 'var');
      close(
        [await variance(x, { corrected: false })],
        refVar([0, 1, 2], false).data,
        rtol,
        'var uncorrected',
      );
      close([await std(x)], refVar([0, 1, 2], true).data.map(Math.sqrt), rtol, 'std');
      for (const dims of [[0], [1, 2]]) {
        await along(variance(x, { dims }), refVar(dims, true), rtol, `var ${dims}`);
        const sd = refVar(dims, true);
        await along(std(x, { dims }), { shape: sd.shape, data: sd.data.map(Math.sqrt) }, rtol, `std ${dims}`);
      }
      await along(
        variance(x, { dims: [0], corrected: false }),
        refVar([0], false),
        rtol,
        'var uncorrected dims 0',
      );
    });

    test(`GPUArrays reductions.jl:161 "any all count" ${dt}`, async () => {
      for (const rows of [
        [[0, 0]],
        [[0, 1]],
        [
          [1, 1],
          [0, 0],
        ],
        [
          [1, 1],
          [1, 1],
        ],
      ]) {
        const a = array(rows, { dtype: dt });
        const x = await up(a);
        const flat = Array.from(a.data);
        assert.equal(
          await any(x),
          flat.some((v) => v !== 0),
          `any ${JSON.stringify(rows)}`,
        );
        assert.equal(
          await all(x),
          flat.every((v) => v !== 0),
          `all ${JSON.stringify(rows)}`,
        );
        await along(
          any(x, { dims: 1 }),
          refReduce(a, [1], (v) => (v !== 0 ? 1 : 0), Math.max),
          0,
          'any dims 1',
        );
        await along(
          all(x, { dims: 1 }),
          refReduce(a, [1], (v) => (v !== 0 ? 1 : 0), Math.min),
          0,
          'all dims 1',
        );
        const even = (v: number) => (v + 1) % 2 === 0;
        assert.equal(await any((v: number) => (v + 1) % 2 === 0, x), flat.some(even), 'any iseven');
        assert.equal(await all((v: number) => (v + 1) % 2 === 0, x), flat.every(even), 'all iseven');
      }
    });

    test(`DistributedArrays darray.jl:456 "test all / any" ${dt}`, async () => {
      const ones = array(new Array(100).fill(1), { dtype: dt });
      assert.equal(await all(await up(ones)), true);
      assert.equal(await any(await up(ones)), true);
      ones.data[49] = 0;
      assert.equal(await all(await up(ones)), false);
      assert.equal(await any(await up(ones)), true);
      const a = array(new Array(100).fill(1), { dtype: dt, shape: [10, 10] });
      a.data[9] = 2;
      const x = await up(a);
      assert.equal(await all((v: number) => v > 1, x), false);
      assert.equal(await all((v: number) => v > 0, x), true);
      assert.equal(await any((v: number) => v === 2, x), true);
      assert.equal(await any((v: number) => v === 3, x), false);
    });

    test(`findmax findmin argmax argmin ${dt}`, async () => {
      const a = ints([4, 5, 3], dt, 12); // many ties: the first index must win
      const x = await up(a);
      for (const which of ['max', 'min'] as const) {
        const whole = refFind(a, [0, 1, 2], which);
        const f = which === 'max' ? findmax : findmin;
        assert.deepEqual(await f(x), [whole.values[0], whole.indices[0]], `find${which}`);
        assert.equal(await (which === 'max' ? argmax : argmin)(x), whole.indices[0]);
        for (const dims of ALL_DIMS_3D) {
          const want = refFind(a, dims, which);
          const [v, i] = await f(x, { dims });
          await along(v, { shape: want.shape, data: want.values }, 0, `find${which} values ${dims}`);
          await along(i, { shape: want.shape, data: want.indices }, 0, `find${which} indices ${dims}`);
          await along(
            (which === 'max' ? argmax : argmin)(x, { dims }),
            { shape: want.shape, data: want.indices },
            0,
            `arg${which} ${dims}`,
          );
        }
      }
      const withNaN = array([3, Number.NaN, 7, Number.NaN], { dtype: dt });
      assert.deepEqual(await findmax(await up(withNaN)), [Number.NaN, 1]);
      assert.deepEqual(await findmin(await up(withNaN)), [Number.NaN, 1]);
      await assert.rejects(findmax(await up(array([], { dtype: dt }))), /findmax: the array is empty/);
    });

    test(`findfirst ${dt}`, async () => {
      const a = array([0, 0, 3, 0, 5, 1], { dtype: dt, shape: [2, 3] });
      const x = await up(a);
      assert.equal(await findfirst(x), 2);
      assert.equal(await findfirst((v: number) => v > 4, x), 4);
      assert.equal(await findfirst((v: number) => v > 9, x), undefined);
      assert.equal(await findfirst(await up(array([0, 0], { dtype: dt }))), undefined);
    });

    test(`GPUArrays reductions.jl:200 "== isequal" ${dt}`, async () => {
      const a = ints([10, 3], dt, 13);
      const b = ints([10, 3], dt, 14);
      const x = await up(a);
      assert.equal(await equal(x, await up(ints([6], dt, 15))), false, 'different shapes');
      assert.equal(await isequal(x, await up(ints([6], dt, 15))), false, 'different shapes');
      const same = Array.from(a.data).every((v, i) => v === b.data[i]);
      assert.equal(await equal(x, await up(b)), same);
      assert.equal(await equal(x, await up(a)), true);
      assert.equal(await isequal(x, await up(a)), true);
      const c = new NDArray(a.data.slice(), a.shape);
      const d = new NDArray(a.data.slice(), a.shape);
      c.data[0] = 0;
      d.data[0] = -0;
      assert.equal(await equal(await up(c), await up(d)), true, '0 == -0');
      assert.equal(await isequal(await up(c), await up(d)), false, '!isequal(0, -0)');
      c.data[0] = Number.NaN;
      d.data[0] = Number.NaN;
      assert.equal(await equal(await up(c), await up(d)), false, 'NaN != NaN');
      assert.equal(await isequal(await up(c), await up(d)), true, 'isequal(NaN, NaN)');
    });

    test(`bad dims are clear errors ${dt}`, async () => {
      const x = await up(rand([3, 4], { dtype: dt, seed: 16 }));
      await assert.rejects(sum(x, { dims: [0, 0] }), /names axis 0 twice/);
      await assert.rejects(
        max(x, { dims: 5 }),
        /axis 5 out of range; an array of 2 dimensions has axes 0 to 1/,
      );
      await assert.rejects(mean(x, { dims: [] }), /dims must be an axis number or a non-empty array/);
      await assert.rejects(findmax(x, { dims: 1.5 }), /findmax: dims \[1.5\] has axis 1.5 out of range/);
      await assert.rejects(
        max(await up(rand([0, 3], { dtype: dt, seed: 1 })), { dims: 0 }),
        /max: the extent along dims is empty; pass init/,
      );
    });
  }
}
