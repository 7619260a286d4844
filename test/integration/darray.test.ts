import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/cluster/wire/codec.js';
import {
  ArgumentError,
  addprocs,
  allgather,
  allowScalar,
  allreduce,
  array,
  barrier,
  bcast,
  broadcast,
  broadcastInto,
  collect,
  DArray,
  dfill,
  distribute,
  dones,
  drand,
  dzeros,
  isApprox,
  localindices,
  localpart,
  max,
  mul,
  type NDArray,
  norm,
  ProcessExitedException,
  powerMethod,
  prod,
  rand,
  remotecallFetch,
  sum,
  transpose,
  wireStats,
  zeros,
} from '../../src/index.js';
import { chunkCounts, settledChunkCounts } from './darray-leaks.js';
import { waitUntil } from './leaks.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });

describe('DArray layout and construction', () => {
  it('splits rows evenly, or nearly when n is not divisible by the worker count (larger chunks first)', async () => {
    const A = rand([7, 3], { seed: 1 });
    const d = await distribute(A);
    expect(d.pids).toEqual([cluster.p2, cluster.p3]);
    expect(d.indices).toEqual([
      [
        [0, 4],
        [0, 3],
      ],
      [
        [4, 7],
        [0, 3],
      ],
    ]);
    expect(d.cuts).toEqual([
      [0, 4, 7],
      [0, 3],
    ]);
    expect((await collect(d)).data).toEqual(A.data);
    // Each owner holds only its own slice.
    expect(await remotecallFetch(async (x: DArray) => (await localpart(x)).shape, cluster.p3, d)).toEqual([
      3, 3,
    ]);
    expect(await remotecallFetch((x: DArray) => localindices(x), cluster.p2, d)).toEqual([
      [0, 4],
      [0, 3],
    ]);
    d.close();
  });

  it('works on a single worker and with 2-d distributions', async () => {
    const A = rand([6, 8], { seed: 2 });
    const one = await distribute(A, { procs: [cluster.p3] });
    expect(one.pids).toEqual([cluster.p3]);
    expect(await sum(one)).toBeCloseTo(await sum(A), 12);
    const cols = await distribute(A, { dist: [1, 2] });
    expect(cols.indices).toEqual([
      [
        [0, 6],
        [0, 4],
      ],
      [
        [0, 6],
        [4, 8],
      ],
    ]);
    const v = rand([8], { seed: 3 });
    expect(await isApprox(await collect(await mul(cols, v)), await mul(A, v))).toBe(true);
    expect((await collect(await broadcast((x: number) => x * 2, cols))).data).toEqual(
      A.data.map((x) => x * 2),
    );
    one.close();
    cols.close();
  });

  it('DArray.init builds each chunk on its owner; dzeros, dones, dfill, drand', async () => {
    const d = await DArray.init(
      (box) => {
        const [[r0, r1], [c0, c1]] = box as [[number, number], [number, number]];
        const rows: number[][] = [];
        for (let i = r0; i < r1; i++) rows.push(Array.from({ length: c1 - c0 }, (_, j) => 10 * i + (c0 + j)));
        return rows;
      },
      [4, 3],
    );
    expect(Array.from((await collect(d)).data)).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    const z = await dzeros([5]);
    const o = await dones([5], { dtype: 'float32' });
    const f = await dfill([2, 2], 7);
    const r = await drand([1000], { seed: 9 });
    expect(Array.from((await collect(z)).data)).toEqual([0, 0, 0, 0, 0]);
    expect(o.dtype).toBe('float32');
    expect(await sum(o)).toBe(5);
    expect(await sum(f)).toBe(28);
    const rs = await sum(r);
    expect(rs).toBeGreaterThan(400);
    expect(rs).toBeLessThan(600);
    for (const x of [d, z, o, f, r]) x.close();
  });

  it('a DArray passed to a remote call carries only its id and layout', async () => {
    const d = await distribute(zeros([1 << 16]));
    expect(encodeBody(d).bytes.length).toBeLessThan(300);
    expect(encodeBody(d).bufs).toHaveLength(0);
    expect(await remotecallFetch((x: DArray) => [x.id, x.shape], cluster.p2, d)).toEqual([d.id, [1 << 16]]);
    d.close();
  });

  it('close() frees the chunks on every worker, and a closed DArray is refused', async () => {
    const before = await settledChunkCounts();
    const d = await distribute(rand([10], { seed: 4 }));
    await sum(d);
    expect((await chunkCounts()).reduce((a, b) => a + b, 0)).toBe(before.reduce((a, b) => a + b, 0) + 2);
    d.close();
    await expect(sum(d)).rejects.toThrow(/was closed/);
    // Frees ride on the next message or go on their own shortly after.
    await waitUntil(async () => JSON.stringify(await chunkCounts()) === JSON.stringify(before));
  });

  it('element reads go through the scalar guard', async () => {
    const A = rand([5, 3], { seed: 21 });
    const d = await distribute(A);
    await expect(d.get(4, 2)).rejects.toThrow(/allowScalar/);
    expect(await allowScalar(() => d.get(4, 2))).toBe(A.get(4, 2));
    expect(await allowScalar(() => d.get(0, 0))).toBe(A.get(0, 0));
    await expect(allowScalar(() => d.get(5, 0))).rejects.toThrow(/within \[5, 3\]/);
    d.close();
  });

  it('rejects bad layouts with clear messages', async () => {
    await expect(distribute(rand([4]), { dist: [3] })).rejects.toThrow(/makes 3 chunks but only 2 processes/);
    await expect(distribute(rand([4]), { backend: 'cuda' })).rejects.toThrow(/backend must be one of/);
    await expect(distribute('x' as unknown as number[])).rejects.toThrow(/expected an array/);
  });
});

describe('DArray operations', () => {
  it("the manual's 2 .* dA ./ dB on aligned DArrays moves no data and matches the host", async () => {
    const A = rand([1000], { seed: 5 });
    const B = rand([1000], { seed: 6 });
    const dA = await distribute(A);
    const dB = await distribute(B);
    const dC = await broadcast((a: number, b: number) => (2 * a) / b, dA, dB);
    expect(dC).toBeInstanceOf(DArray);
    expect(dC.pids).toEqual(dA.pids);
    expect(
      await isApprox(await collect(dC), await broadcast((a: number, b: number) => (2 * a) / b, A, B)),
    ).toBe(true);
    for (const x of [dA, dB, dC]) x.close();
  });

  it('misaligned operands are redistributed between workers', async () => {
    const A = rand([9, 4], { seed: 7 });
    const B = rand([9, 4], { seed: 8 });
    const rows = await distribute(A);
    const cols = await distribute(B, { dist: [1, 2] });
    const onlyOne = await distribute(B, { procs: [cluster.p3] });
    for (const other of [cols, onlyOne]) {
      const got = await collect(await broadcast((a: number, b: number) => a - b, rows, other));
      expect(got.data).toEqual((await broadcast((a: number, b: number) => a - b, A, B)).data);
    }
    // Writing into an existing DArray reuses its chunks; a host array cannot take a DArray result.
    const into = await distribute(zeros([9, 4]));
    await broadcastInto(into, (a: number, b: number) => a + b, rows, into);
    expect((await collect(into)).data).toEqual(A.data);
    await expect(broadcastInto(zeros([9, 4]), (a: number) => a, rows)).rejects.toThrow(
      /cannot be written into/,
    );
    into.close();
    // A host array mixed in is sliced per chunk.
    const mixed = await collect(await broadcast((a: number, b: number) => a * b, rows, B));
    expect(mixed.data).toEqual((await broadcast((a: number, b: number) => a * b, A, B)).data);
    for (const x of [rows, cols, onlyOne]) x.close();
  });

  it('matvec by row blocks, and a row-block matrix times a replicated matrix', async () => {
    const M = rand([33, 20], { seed: 10 });
    const v = rand([20], { seed: 11 });
    const dM = await distribute(M);
    const dv = await distribute(v);
    expect(await isApprox(await collect(await mul(dM, dv)), await mul(M, v))).toBe(true);
    // A vector held elsewhere than the rows is gathered from its owner instead of by allgather.
    const elsewhere = await distribute(v, { procs: [cluster.p3] });
    expect(await isApprox(await collect(await mul(dM, elsewhere)), await mul(M, v))).toBe(true);
    elsewhere.close();
    const R = rand([20, 5], { seed: 12 });
    const prod = (await mul(dM, R)) as DArray;
    expect(prod).toBeInstanceOf(DArray);
    expect(prod.shape).toEqual([33, 5]);
    expect(await isApprox(await collect(prod), await mul(M, R))).toBe(true);
    dM.close();
    dv.close();
    prod.close();
  });

  it('matvec by column blocks: each owner keeps its rows of the sum, split like the vector', async () => {
    // Uneven columns (33 over 2), a wide matrix, and a vector held on the host.
    for (const [m, k] of [
      [33, 33],
      [12, 33],
    ] as const) {
      const M = rand([m, k], { seed: 30 });
      const v = rand([k], { seed: 31 });
      const dM = await distribute(M, { dist: [1, 2] });
      const dv = await distribute(v);
      expect(dv.cuts[0]).toEqual(dM.cuts[1]);
      const y = (await mul(dM, dv)) as DArray;
      expect(y.pids).toEqual(dM.pids);
      // A square matrix gives the result the vector's split, so the next product needs no move.
      expect(y.cuts[0]).toEqual(m === k ? dv.cuts[0] : [0, m >> 1, m]);
      expect(await isApprox(await collect(y), await mul(M, v))).toBe(true);
      const fromHost = (await mul(dM, v)) as DArray;
      expect(await isApprox(await collect(fromHost), await mul(M, v))).toBe(true);
      for (const x of [dM, dv, y, fromHost]) x.close();
    }
    const S = rand([40, 40], { seed: 32 });
    const sym = await broadcast((a: number, b: number) => a + b, S, await transpose(S));
    const u = rand([40], { seed: 33 });
    const dS = await distribute(sym as NDArray, { dist: [1, 2] });
    const du = await distribute(u);
    const [dx, lambda] = await powerMethod(dS, du);
    const [hostV, hostL] = await powerMethod(sym, u);
    expect(lambda).toBeCloseTo(hostL, 9);
    expect(await isApprox(await collect(dx), hostV)).toBe(true);
    for (const x of [dS, du, dx]) x.close();
  });

  it('powerMethod runs unchanged on a DArray and returns [DArray, number]', async () => {
    const M = rand([64, 64], { seed: 13 });
    const v = rand([64], { seed: 14 });
    const [hostV, hostL] = await powerMethod(M, v);
    const before = (await settledChunkCounts()).reduce((a, b) => a + b, 0);
    const dM = await distribute(M);
    const dv = await distribute(v);
    const [dx, lambda] = await powerMethod(dM, dv);
    expect(dx).toBeInstanceOf(DArray);
    expect(lambda).toBeCloseTo(hostL, 10);
    expect(await isApprox(await collect(dx), hostV)).toBe(true);
    // Only the inputs and the result are left: the temporaries were freed as it went.
    expect((await chunkCounts()).reduce((a, b) => a + b, 0)).toBe(before + 6);
    for (const x of [dM, dv, dx]) x.close();
  });

  it('powerMethod sends O(P) messages per iteration', async () => {
    const framesEverywhere = async (): Promise<number> =>
      wireStats().framesSent +
      (
        await Promise.all(
          [cluster.p2, cluster.p3].map((p) => remotecallFetch(() => wireStats().framesSent, p)),
        )
      ).reduce((a, b) => a + b, 0);
    const perIteration = async (procs: number[]): Promise<number> => {
      const dM = await distribute(rand([96, 96], { seed: 20 }), { procs });
      const dv = await distribute(rand([96], { seed: 21 }), { procs });
      const run = async (iters: number): Promise<number> => {
        const before = await framesEverywhere();
        const [x] = await powerMethod(dM, dv, { iters });
        const after = await framesEverywhere();
        (x as DArray).close();
        return after - before;
      };
      // The difference of two runs leaves out what does not depend on the number of iterations.
      const perIter = ((await run(30)) - (await run(10))) / 20;
      dM.close();
      dv.close();
      return perIter;
    };
    const one = await perIteration([cluster.p2]);
    const two = await perIteration([cluster.p2, cluster.p3]);
    expect(one).toBeGreaterThan(0);
    expect(one).toBeLessThanOrEqual(8);
    expect(two).toBeLessThanOrEqual(16);
    // Each added worker adds a bounded number of messages, not a number that grows with n.
    expect(two - one).toBeLessThanOrEqual(8);
  });

  it('norms combine overflow-safely across workers', async () => {
    const big = array([3e200, 4e200, 0, 0]);
    const d = await distribute(big);
    expect((await norm(d)) / 1e200).toBeCloseTo(5, 12);
    expect(await norm(d, 1)).toBe(7e200);
    expect(await norm(d, Number.POSITIVE_INFINITY)).toBe(4e200);
    d.close();
  });

  it('an empty DArray reduces by the rule of an empty NDArray: sum 0, prod 1, max refused without init', async () => {
    const d = await dzeros([0]);
    expect(await sum(d)).toBe(await sum(zeros([0])));
    expect(await sum(d)).toBe(0);
    expect(await prod(d)).toBe(1);
    expect(await max(d, { init: -5 })).toBe(-5);
    const err = await max(d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(/^max: the DArray is empty; pass init/);
    d.close();
  });
});

describe('collectives (the MPI.jl analogue)', () => {
  it('allgather, allreduce, bcast and barrier among workers', async () => {
    const results = await Promise.all(
      [cluster.p2, cluster.p3].map((p) =>
        remotecallFetch(async () => {
          const all = await allgather(myid());
          const total = await allreduce(myid(), 'sum');
          const biggest = await allreduce(myid(), (a: number, b: number) => Math.max(a, b));
          const fromFirst = await bcast(
            myid() === workers()[0] ? 'hello' : undefined,
            workers()[0] as number,
          );
          await barrier();
          return { all, total, biggest, fromFirst };
        }, p),
      ),
    );
    for (const r of results) {
      expect(r).toEqual({
        all: [cluster.p2, cluster.p3],
        total: cluster.p2 + cluster.p3,
        biggest: cluster.p3,
        fromFirst: 'hello',
      });
    }
  });
});

describe('failures', () => {
  it('a worker that dies during an operation gives ProcessExitedException, not a hang', async () => {
    const [p4] = (await addprocs(1)) as [number];
    const d = await distribute(rand([30], { seed: 15 }), { procs: [cluster.p2, p4] });
    const osPid = await remotecallFetch(() => process.pid, p4);
    process.kill(osPid, 'SIGKILL');
    await expect(sum(d)).rejects.toBeInstanceOf(ProcessExitedException);
    await expect(collect(d)).rejects.toBeInstanceOf(ProcessExitedException);
    d.close();
  });

  it.each([
    ['row', undefined],
    ['column', [1, 2]],
  ])(
    'a chunk that failed on one owner fails a matvec on every owner (%s blocks), not a hang',
    async (_, dist) => {
      const dM = await distribute(rand([6, 6], { seed: 19 }), { dist });
      // The second owner's piece of the vector fails; the first owner's matvec waits for a message
      // from the second (that piece with row blocks, its rows of the partial sum with column blocks).
      const dv = await DArray.init(
        (box) => {
          if ((box[0]?.[0] ?? 0) > 0) throw new Error('no data for the lower rows');
          return [1, 2, 3];
        },
        [6],
      );
      const y = (await mul(dM, dv)) as DArray;
      await expect(collect(y)).rejects.toThrow(/no data for the lower rows/);
      await expect(sum(y)).rejects.toThrow(/no data for the lower rows/);
      for (const x of [dM, dv, y]) x.close();
    },
  );
});

declare function myid(): number;
declare function workers(): number[];
