// DArray halves of the linear-algebra ops and of random numbers that the shared array suite cannot
// show: where the chunks of a result live (triu/tril and diag move nothing), drand's independence
// from the layout, drand(D) in place, and DistributedArrays.jl's test/darray.jl drand/rand! testsets.
import { describe, expect, it, vi } from 'vitest';
import {
  cholesky,
  collect,
  type DArray,
  diag,
  distribute,
  drand,
  drandn,
  dzeros,
  gpuMemory,
  kron,
  rand,
  randn,
  remotecallFetch,
  triu,
} from '../../src/index.js';
import { probe } from '../gpu/harness.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });
const pids = () => [cluster.p2, cluster.p3];

describe('DArray random numbers', () => {
  it('DistributedArrays darray.jl:626 "1D drand" and :655 "2D drand, Dims constructor": shape, dtype, range', async () => {
    for (const dims of [[100], [50, 50]]) {
      const A = await drand(dims);
      expect(A.dtype).toBe('float64');
      expect([...A.shape]).toEqual(dims);
      const a = await collect(A);
      expect(a.data.every((x) => x >= 0 && x < 1)).toBe(true);
      A.close();
    }
  });

  it('DistributedArrays darray.jl:689 "1D drandn" and :696 "2D drandn": shape and dtype', async () => {
    for (const dims of [[100], [50, 50]]) {
      const A = await drandn(dims, { dtype: 'float32' });
      expect(A.dtype).toBe('float32');
      expect([...A.shape]).toEqual(dims);
      A.close();
    }
  });

  it('a seed gives the host rand numbers whatever the layout (rows, columns, one process)', async () => {
    const want = rand([12, 10], { seed: 5 });
    const wantN = randn([12, 10], { seed: 5 });
    for (const opts of [{ dist: [2, 1] }, { dist: [1, 2] }, { procs: [cluster.p3] }]) {
      const A = await drand([12, 10], { procs: pids(), seed: 5, ...opts });
      expect(Array.from((await collect(A)).data)).toEqual(Array.from(want.data));
      const N = await drandn([12, 10], { procs: pids(), seed: 5, ...opts });
      expect(Array.from((await collect(N)).data)).toEqual(Array.from(wantN.data));
      A.close();
      N.close();
    }
  });

  it('DistributedArrays darray.jl:1058 "rand!": drand(D) refills D in place on its owners', async () => {
    const d = await dzeros([30, 30], { procs: pids() });
    const same = await drand(d, { seed: 3 });
    expect(same).toBe(d);
    expect(Array.from((await collect(d)).data)).toEqual(Array.from(rand([30, 30], { seed: 3 }).data));
    await drandn(d, { seed: 4 });
    expect(Array.from((await collect(d)).data)).toEqual(Array.from(randn([30, 30], { seed: 4 }).data));
    d.close();
  });
});

// Without WebGPU here the case reports why it cannot run (CI installs Dawn, so there it runs).
const webgpu = await probe('webgpu');
const onWebgpu = webgpu.backend ? it : it.skip;
describe(`drand with webgpu chunks${webgpu.reason ? ` (skipped: ${webgpu.reason})` : ''}`, () => {
  onWebgpu('each owner makes its chunk on its device, the host float32 numbers for the seed', async () => {
    const A = await drand([12, 10], { procs: pids(), seed: 6, backend: 'webgpu' });
    expect(A.chunkBackend).toBe('webgpu');
    expect(Array.from((await collect(A)).data)).toEqual(
      Array.from(rand([12, 10], { seed: 6, dtype: 'float32' }).data),
    );
    A.close();
    // The chunks' device memory goes back once the frees of close() reach the owners.
    await vi.waitFor(
      async () => {
        const inUse = await Promise.all(pids().map((p) => remotecallFetch(() => gpuMemory().webgpu, p)));
        expect(inUse).toEqual([0, 0]);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});

describe('DArray linear algebra', () => {
  it('triu keeps the layout: each owner masks its own chunk', async () => {
    const A = rand([9, 8], { seed: 1 });
    for (const dist of [
      [2, 1],
      [1, 2],
    ]) {
      const dA = await distribute(A, { procs: pids(), dist });
      const U = (await triu(dA, -1)) as DArray;
      expect(U.layout).toEqual(dA.layout);
      const host = await collect(U);
      for (let i = 0; i < 9; i++)
        for (let j = 0; j < 8; j++) expect(host.get(i, j)).toBe(j - i >= -1 ? A.get(i, j) : 0);
      dA.close();
      U.close();
    }
  });

  it('diag is cut where the diagonal leaves a chunk, each run kept by the owner it was on', async () => {
    const A = rand([10, 10], { seed: 2 });
    const dA = await distribute(A, { procs: pids(), dist: [1, 2] });
    const d = (await diag(dA, 1)) as DArray;
    expect(d.cuts).toEqual([[0, 4, 9]]);
    expect([...d.pids]).toEqual(pids());
    expect(Array.from((await collect(d)).data)).toEqual(Array.from({ length: 9 }, (_, i) => A.get(i, i + 1)));
    dA.close();
    d.close();
  });

  it('kron of a DArray and a host matrix is split over the DArray processes', async () => {
    const A = rand([3, 4], { seed: 3 });
    const B = rand([2, 3], { seed: 4 });
    const dA = await distribute(A, { procs: pids() });
    const K = (await kron(dA, B)) as DArray;
    expect([...K.shape]).toEqual([6, 12]);
    expect([...K.pids]).toEqual(pids());
    const k = await collect(K);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 12; j++)
        expect(k.get(i, j)).toBeCloseTo(
          A.get(Math.floor(i / 2), Math.floor(j / 3)) * B.get(i % 2, j % 3),
          14,
        );
    dA.close();
    K.close();
  });

  it('cholesky gathers and distributes L over the same processes and chunk grid', async () => {
    const S = rand([6, 6], { seed: 5 });
    for (let i = 0; i < 6; i++) S.set(S.get(i, i) + 6, i, i);
    for (let i = 0; i < 6; i++) for (let j = 0; j < i; j++) S.set(S.get(i, j), j, i);
    const dS = await distribute(S, { procs: pids(), dist: [1, 2] });
    const L = (await cholesky(dS)) as DArray;
    expect(L.layout).toEqual(dS.layout);
    dS.close();
    L.close();
  });
});
