// DArray-only operations from DistributedArrays.jl (sort, mapslices, ppeval, makelocal, DArrays from
// parts, uneven cuts, similar, reshape, permutedims, circshift, cat), on two real workers. Cases are
// named after DistributedArrays.jl's test/darray.jl testset and line they port.
import { describe, expect, it } from 'vitest';
import {
  type AnyArray,
  array,
  broadcast,
  cat,
  circshift,
  collect,
  DArray,
  darrayFromRefs,
  deye,
  distribute,
  dones,
  drand,
  drandn,
  type Future,
  hcat,
  localpart,
  makelocal,
  mapslices,
  mul,
  type NDArray,
  ones,
  pendingPartCount,
  permutedims,
  ppeval,
  rand,
  randn,
  remotecallFetch,
  reshape,
  similar,
  sort,
  spawnAt,
  vcat,
} from '../../src/index.js';
import { useTwoWorkers } from './two-workers.js';

const w = useTwoWorkers({ chunks: true });
const host = async (x: AnyArray): Promise<number[]> => Array.from((await collect(x)).data);

describe('DArray from parts and uneven cuts', () => {
  it('darray.jl:31 "Create darray with unconventional distribution and distribute like it"', async () => {
    const parts = [
      spawnAt(w.p2, () => rand([10, 20], { seed: 1 })),
      spawnAt(w.p3, () => rand([10, 20], { seed: 2 })),
    ];
    const d = await darrayFromRefs(parts.map((f) => [f]));
    expect(d.shape).toEqual([20, 20]);
    expect(d.pids).toEqual([w.p2, w.p3]);
    expect(d.cuts).toEqual([
      [0, 10, 20],
      [0, 20],
    ]);
    const want = [...rand([10, 20], { seed: 1 }).data, ...rand([10, 20], { seed: 2 }).data];
    expect(await host(d)).toEqual(want);
    // The chunks are copies: the Futures still hold their own arrays.
    expect(Array.from(((await (parts[0] as Future).fetch()) as NDArray).data)).toEqual(want.slice(0, 200));
    const like = await distribute(rand([20, 20], { seed: 3 }), { procs: d.pids, dist: d.layout.dist });
    expect(like.shape).toEqual(d.shape);
    d.close();
    like.close();
  });

  it('DArray from parts: uneven rows, a grid of parts, and parts that do not tile', async () => {
    const d = await darrayFromRefs([
      spawnAt(w.p2, () => array([1, 2, 3])),
      spawnAt(w.p3, () => array([4, 5])),
    ]);
    expect(d.cuts).toEqual([[0, 3, 5]]);
    expect(await host(d)).toEqual([1, 2, 3, 4, 5]);
    d.close();
    await expect(
      darrayFromRefs([[spawnAt(w.p2, () => array([[1, 2]]))], [spawnAt(w.p3, () => array([[1, 2, 3]]))]]),
    ).rejects.toThrow(/do not tile an array.*extent 3 along dimension 1/);
    await expect(
      darrayFromRefs([spawnAt(w.p2, () => array([1])), spawnAt(w.p2, () => array([2]))]),
    ).rejects.toThrow(/two parts live on process/);
  });

  it('darray.jl:61 "Consistent Uneven Distribution issue #166" (explicit cuts)', async () => {
    const d = await DArray.init(
      (box) => Array.from({ length: box[0]![1] - box[0]![0] }, (_, i) => box[0]![0] + i),
      [4],
      {
        procs: [w.p2, w.p3],
        cuts: [[0, 3, 4]],
      },
    );
    expect(await remotecallFetch(async (x: DArray) => (await localpart(x)).shape[0], w.p2, d)).toBe(3);
    expect(await remotecallFetch(async (x: DArray) => (await localpart(x)).shape[0], w.p3, d)).toBe(1);
    expect(await host(d)).toEqual([0, 1, 2, 3]);
    d.close();
    await expect(dones([4], { cuts: [[0, 5, 4]] })).rejects.toThrow(/cuts\[0\] must rise from 0 to 4/);
    await expect(dones([4], { cuts: [[0, 2, 4]], dist: [2] })).rejects.toThrow(/either dist or cuts/);
  });
});

describe('shape ops on DArrays', () => {
  it('darray.jl:133 "test DArray similar"', async () => {
    const D = await drand([20, 20], { procs: [w.p2, w.p3], seed: 4 });
    const DS = (await similar(D, { dtype: 'float32' })) as DArray;
    expect(DS).toBeInstanceOf(DArray);
    expect(DS.dtype).toBe('float32');
    expect(DS.shape).toEqual(D.shape);
    expect(DS.cuts).toEqual(D.cuts);
    expect(DS.pids).toEqual(D.pids);
    expect((await host(DS)).every((v) => v === 0)).toBe(true);
    const DT = (await similar(D, { shape: [5, 7] })) as DArray;
    expect([DT.shape, DT.pids, DT.dtype]).toEqual([[5, 7], D.pids, 'float64']);
    D.close();
    DS.close();
    DT.close();
  });

  it('darray.jl:150 "test DArray reshape"', async () => {
    const A = rand([20, 20], { seed: 5 });
    const D = await distribute(A, { procs: [w.p2, w.p3] });
    await expect(reshape(D, [10, 10])).rejects.toThrow(/400 elements/);
    const DR = (await reshape(D, [10, 40])) as DArray;
    expect(DR.shape).toEqual([10, 40]);
    expect(await host(DR)).toEqual(Array.from(A.data));
    // Column blocks in, row blocks out: each owner fetches rows from both.
    const C = await distribute(A, { procs: [w.p2, w.p3], dist: [1, 2] });
    const CR = (await reshape(C, [8, 50])) as DArray;
    expect(await host(CR)).toEqual(Array.from(A.data));
    for (const x of [D, DR, C, CR]) x.close();
  });

  it('permutedims, circshift and cat of DArrays, with a host array among the inputs', async () => {
    const A = rand([6, 4, 3], { seed: 6 });
    const D = await distribute(A, { procs: [w.p2, w.p3], dist: [1, 2, 1] });
    const P = (await permutedims(D, [2, 0, 1])) as DArray;
    const hp = await collect(P);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 6; j++) for (let k = 0; k < 4; k++) expect(hp.get(i, j, k)).toBe(A.get(j, k, i));
    const S = (await circshift(D, [-1, 3])) as DArray;
    expect(S.cuts).toEqual(D.cuts);
    const hs = await collect(S);
    for (let j = 0; j < 6; j++)
      for (let k = 0; k < 4; k++) expect(hs.get(j, k, 0)).toBe(A.get((j + 1) % 6, (k + 1) % 4, 0));
    const B = rand([2, 4, 3], { seed: 7 });
    const V = (await vcat<AnyArray>(D, B)) as DArray;
    expect(V.shape).toEqual([8, 4, 3]);
    expect(await host(V)).toEqual([...A.data, ...B.data]);
    const m = await distribute(rand([5, 2], { seed: 8 }), { procs: [w.p2, w.p3] });
    const H = (await hcat(m, m)) as DArray;
    const hh = await collect(H);
    const mm = await collect(m);
    for (let i = 0; i < 5; i++) expect([hh.get(i, 0), hh.get(i, 3)]).toEqual([mm.get(i, 0), mm.get(i, 1)]);
    const C3 = (await cat([m, m], { dims: 2 })) as DArray;
    expect(C3.shape).toEqual([5, 2, 2]);
    for (const x of [D, P, S, V, m, H, C3]) x.close();
  });

  it('deye: the identity and a scaled non-square one, over uneven chunks', async () => {
    const I = await deye(5, { procs: [w.p2, w.p3], dist: [2, 1] });
    const h = await collect(I);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(h.get(i, j)).toBe(i === j ? 1 : 0);
    const J = await deye(3, { m: 5, value: 2, procs: [w.p2, w.p3], dist: [1, 2] });
    expect(await host(J)).toEqual([2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0, 0]);
    I.close();
    J.close();
  });
});

describe('makelocal', () => {
  it('darray.jl:740 "makelocal"', async () => {
    const A = randn([10, 10], { seed: 9 });
    const dA = await distribute(A, { procs: [w.p2, w.p3], dist: [2, 1] });
    for (let i = 0; i < 10; i++) {
      const col = await makelocal(dA, ':', i);
      expect(col.shape).toEqual([10]);
      expect(Array.from(col.data)).toEqual(Array.from({ length: 10 }, (_, r) => A.get(r, i)));
      const row = await makelocal(dA, [i, i + 1], ':');
      expect(row.shape).toEqual([1, 10]);
      expect(Array.from(row.data)).toEqual(Array.from({ length: 10 }, (_, c) => A.get(i, c)));
    }
    const block = await makelocal(dA, [0, 5], [0, 5]);
    expect(block.shape).toEqual([5, 5]);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(block.get(i, j)).toBe(A.get(i, j));
    // On an owner, the region that is exactly its chunk comes back as a copy, not the chunk itself.
    const same = await remotecallFetch(
      async (d: DArray) => {
        const copy = await makelocal(d, [0, 5], ':');
        copy.data[0] = 1e9;
        return ((await localpart(d)) as NDArray).data[0] !== 1e9;
      },
      w.p2,
      dA,
    );
    expect(same).toBe(true);
    await expect(makelocal(dA, [0, 11], ':')).rejects.toThrow(/index 0 must be/);
    dA.close();
  });
});

describe('mapslices', () => {
  const sortSlice = (s: NDArray) => Array.from(s.data).sort((a, b) => a - b);
  it('darray.jl:804 "test mapslices" (sort along each axis)', async () => {
    const A = randn([5, 5, 4], { seed: 10 });
    const D = await distribute(A, { procs: [w.p2, w.p3], dist: [1, 1, 2] });
    for (const dim of [0, 1, 2]) {
      const M = await mapslices(sortSlice, D, { dims: dim });
      const got = await collect(M);
      expect(got.shape).toEqual([5, 5, 4]);
      // Plain loops: each line along `dim` sorted.
      const n = A.shape[dim] as number;
      for (let i = 0; i < 5; i++)
        for (let j = 0; j < (dim === 2 ? 5 : 4); j++) {
          const at = (t: number) => (dim === 0 ? [t, i, j] : dim === 1 ? [i, t, j] : [i, j, t]);
          const line = Array.from({ length: n }, (_, t) => A.get(...at(t))).sort((a, b) => a - b);
          expect(Array.from({ length: n }, (_, t) => got.get(...at(t)))).toEqual(line);
        }
      M.close();
    }
    D.close();
  });

  it('darray.jl:816 "issue #3613" (a number per slice) and darray.jl:831 "issue #5177" (result shapes)', async () => {
    const ones3 = await dones([2, 3, 4], { procs: [w.p2, w.p3], dist: [1, 1, 2] });
    const B = await mapslices((s) => Array.from(s.data).reduce((a, b) => a + b, 0), ones3, { dims: [0, 1] });
    expect(B.shape).toEqual([1, 1, 4]);
    expect(await host(B)).toEqual([6, 6, 6, 6]);
    const c = await dones([2, 3, 4, 5], { procs: [w.p2, w.p3], dist: [1, 1, 1, 2] });
    const m1 = await mapslices(() => ones([2, 3]), c, { dims: [0, 1] });
    const n1a = await mapslices(() => ones([1, 6]), c, { dims: [0, 1] });
    const n3a = await mapslices(() => ones([1, 6]), c, { dims: [1, 2] });
    expect(m1.shape).toEqual([2, 3, 4, 5]);
    expect(n1a.shape).toEqual([1, 6, 4, 5]);
    expect(n3a.shape).toEqual([2, 1, 6, 5]);
    // Slices that a chunk would cut (dims along the split axis) are gathered whole first.
    const across = await mapslices((s) => Array.from(s.data).reduce((a, b) => a + b, 0), c, { dims: 3 });
    expect(across.shape).toEqual([2, 3, 4, 1]);
    expect((await host(across)).every((v) => v === 5)).toBe(true);
    await expect(mapslices(() => ones([2]), ones3, { dims: [0, 1] })).rejects.toThrow(/one per slice axis/);
    for (const x of [ones3, B, c, m1, n1a, n3a, across]) x.close();
  });
});

describe('ppeval', () => {
  it('darray.jl:973 "test ppeval" (a matrix-vector product per chunk)', async () => {
    const A = await drandn([10, 10, 2], { procs: [w.p2, w.p3], dist: [1, 1, 2], seed: 11 });
    const B = await drandn([10, 2], { procs: [w.p2, w.p3], dist: [1, 2], seed: 12 });
    const R = await ppeval(
      // Julia stacks one vector per slice; here each chunk (one slice) gives its 10×1 column.
      async (a: AnyArray, b: AnyArray) =>
        reshape(await mul(await reshape(a, [10, 10]), await reshape(b, [10])), [10, 1]),
      A,
      B,
    );
    expect(R.shape).toEqual([10, 2]);
    const ha = await collect(A);
    const hb = await collect(B);
    const got = await collect(R);
    for (let k = 0; k < 2; k++)
      for (let i = 0; i < 10; i++) {
        let s = 0;
        for (let j = 0; j < 10; j++) s += ha.get(i, j, k) * hb.get(j, k);
        expect(got.get(i, k)).toBeCloseTo(s, 12);
      }
    const other = await drand([4], { procs: [w.p2] });
    await expect(ppeval((a: AnyArray) => a, A, other)).rejects.toThrow(/must share owners and chunk grid/);
    for (const x of [A, B, R, other]) x.close();
  });

  it('ppeval with a plain argument; a failing f leaves nothing behind', async () => {
    const d = await distribute(array([1, 2, 3, 4, 5]), { procs: [w.p2, w.p3] });
    const r = await ppeval((a: NDArray, k: number) => Array.from(a.data, (x) => x * k), d, 10);
    expect(await host(r)).toEqual([10, 20, 30, 40, 50]);
    await expect(
      ppeval((a: NDArray) => {
        if (a.data[0] === 4) throw new Error('boom');
        return a;
      }, d),
    ).rejects.toThrow(/boom/);
    // The owner whose f succeeded dropped its part when the other's failed.
    expect(await Promise.all([w.p2, w.p3].map((p) => remotecallFetch(() => pendingPartCount(), p)))).toEqual([
      0, 0,
    ]);
    d.close();
    r.close();
  });
});

describe('sort', () => {
  for (const n of [1, 10, 1000])
    it(`darray.jl:1015 "sort, T = Float64, ${n} elements"`, async () => {
      const a = rand([n], { seed: n });
      const d = await distribute(a, { procs: [w.p2, w.p3] });
      const s = await sort(d);
      expect(s.pids).toEqual(d.pids);
      const want = Array.from(a.data).sort((x, y) => x - y);
      expect(await host(s)).toEqual(want);
      const r = await sort(d, { rev: true });
      expect(await host(r)).toEqual([...want].reverse());
      for (const x of [d, s, r]) x.close();
    });

  it('darray.jl:1015 "sort, T = Int" with ties, NaN, and GPU-free int32 chunks', async () => {
    const vals = [5, 3, 5, 1, 3, 3, 9, 0, 5, 2, 2, 7];
    const d = await distribute(array(vals, { dtype: 'int32' }), { procs: [w.p2, w.p3] });
    const s = await sort(d);
    expect(s.dtype).toBe('int32');
    expect(await host(s)).toEqual([...vals].sort((x, y) => x - y));
    const f = await distribute(array([2, Number.NaN, -1, 4, Number.NaN, 0]), { procs: [w.p2, w.p3] });
    const sf = await sort(f);
    const got = await host(sf);
    expect(got.slice(0, 4)).toEqual([-1, 0, 2, 4]);
    expect(got.slice(4).every(Number.isNaN)).toBe(true);
    const m = await drand([2, 2], { procs: [w.p2] });
    await expect(sort(m)).rejects.toThrow(/expected a vector DArray/);
    for (const x of [d, s, f, sf, m]) x.close();
  });
});

it('matrix identity through deye multiplies as the identity', async () => {
  const I = await deye(6, { procs: [w.p2, w.p3] });
  const v = await distribute(rand([6], { seed: 13 }), { procs: [w.p2, w.p3] });
  const y = await mul(I, v);
  expect(await host(y)).toEqual(await host(v));
  for (const x of [I, v, y as DArray]) x.close();
});

describe('DArray-only ops on GPU chunks (gpu.js, which always starts)', () => {
  it('sort, mapslices, ppeval, makelocal and reshape keep gpujs chunks', async () => {
    const a = rand([40], { seed: 14, dtype: 'float32' });
    const d = await distribute(a, { procs: [w.p2, w.p3], backend: 'gpujs' });
    const s = await sort(d);
    expect(s.chunkBackend).toBe('gpujs');
    expect(await host(s)).toEqual(Array.from(a.data).sort((x, y) => x - y));
    const onGpu = await remotecallFetch(async (x: DArray) => (await localpart(x)).backend, w.p3, s);
    expect(onGpu).toBe('gpujs');
    const m = (await reshape(d, [8, 5])) as DArray;
    const rows = await mapslices((r) => Math.max(...r.data), m, { dims: 1 });
    expect(rows.chunkBackend).toBe('gpujs');
    expect(await host(rows)).toEqual(
      Array.from({ length: 8 }, (_, i) => Math.max(...a.data.subarray(i * 5, i * 5 + 5))),
    );
    const twice = await ppeval((c: AnyArray) => broadcast((x: number) => 2 * x, c), m);
    expect(await host(twice)).toEqual(Array.from(a.data, (x) => 2 * x));
    expect(Array.from((await makelocal(m, 3, ':')).data)).toEqual(Array.from(a.data.subarray(15, 20)));
    for (const x of [d, s, m, rows, twice]) x.close();
  });
});
