// Distributed reductions answer the caller from every owner, with no worker-to-worker hop: they
// work where workers may not talk to each other, and each worker sends one frame per reduction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addprocs,
  collect,
  distribute,
  dot,
  mapreduce,
  max,
  norm,
  rand,
  remotecallFetch,
  sum,
  wireStats,
} from '../../src/index.js';
import { expectNoChunksLeft } from './darray-leaks.js';
import { removeAllAndCheck } from './leaks.js';
import { expectRefsBackTo, totalRemoteRefs } from './refs.js';

const w = { pids: [] as number[], baseline: 0 };
beforeAll(async () => {
  // master_worker: a worker that sends to another worker is refused.
  w.pids = await addprocs(2, { topology: 'master_worker' });
  w.baseline = await totalRemoteRefs();
});
afterAll(async () => {
  await expectNoChunksLeft();
  await expectRefsBackTo(w.baseline);
  await removeAllAndCheck();
});

describe('DArray reductions answer the caller directly', () => {
  it('sum, max, norm, dot and mapreduce work without worker-to-worker messages', async () => {
    const x = rand([101], { seed: 3 });
    const y = rand([101], { seed: 4 });
    const dx = await distribute(x, { procs: w.pids });
    const dy = await distribute(y, { procs: w.pids });
    expect(await sum(dx)).toBeCloseTo(await sum(x), 12);
    expect(await max(dx)).toBe(await max(x));
    expect(await norm(dx)).toBeCloseTo(await norm(x), 12);
    expect(await norm(dx, 1)).toBeCloseTo(await norm(x, 1), 12);
    expect(await dot(dx, dy)).toBeCloseTo(await dot(x, y), 12);
    expect(
      await mapreduce(
        (v: number) => v * v,
        (a: number, b: number) => a + b,
        dx,
      ),
    ).toBeCloseTo(
      await mapreduce(
        (v: number) => v * v,
        (a: number, b: number) => a + b,
        x,
      ),
      12,
    );
    expect((await collect(dx)).data).toEqual(x.data);
    dx.close();
    dy.close();
  });

  it('each owner sends one frame per reduction: its partial, to the caller', async () => {
    const dx = await distribute(rand([64], { seed: 5 }), { procs: w.pids });
    await norm(dx);
    const sent = () => Promise.all(w.pids.map((p) => remotecallFetch(() => wireStats().framesSent, p)));
    const before = await sent();
    for (let i = 0; i < 10; i++) await norm(dx);
    const after = await sent();
    // The first snapshot's reply is counted in the window too.
    expect(after.map((a, i) => a - (before[i] as number))).toEqual([11, 11]);
    dx.close();
  });
});
