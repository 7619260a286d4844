// DArray getindex/setindex move only what the selection needs, owner to owner: counted in bytes on
// the wire of every process. The suite's indexing cases (src/testsuite/indexing.ts) check values.
import { describe, expect, it } from 'vitest';
import {
  collect,
  type DArray,
  distribute,
  getindex,
  localpart,
  rand,
  remotecallFetch,
  setindex,
  view,
  wireStats,
} from '../../src/index.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });

/** Bytes sent so far by the master and both workers together. */
async function bytesEverywhere(): Promise<number> {
  const others = await Promise.all(
    [cluster.p2, cluster.p3].map((p) => remotecallFetch(() => wireStats().bytesSent, p)),
  );
  return wireStats().bytesSent + others.reduce((a, b) => a + b, 0);
}

/** The bytes a getindex moved, once every chunk of its result exists (the reads of wireStats included). */
async function bytesOf(make: () => Promise<DArray>): Promise<{ r: DArray; bytes: number }> {
  // The calls that read the counters cost the same before and after, so a baseline takes them out.
  const b0 = await bytesEverywhere();
  const b1 = await bytesEverywhere();
  const r = await make();
  await Promise.all(r.pids.map((p) => remotecallFetch((d: DArray) => localpart(d).then(() => 0), p, r)));
  const b2 = await bytesEverywhere();
  return { r, bytes: b2 - b1 - (b1 - b0) };
}

describe('DArray indexing moves only what it needs', () => {
  const M = rand([256, 32], { seed: 1 }); // rows 0..127 on the first worker, 128..255 on the second
  const rowBytes = 32 * 8;

  it('a row slice across both owners is cut on the owners: no elements cross the wire', async () => {
    const dA = await distribute(M, { procs: [cluster.p2, cluster.p3] });
    const { r, bytes } = await bytesOf(() => getindex(dA, [0, 140], ':'));
    expect(r.pids).toEqual([cluster.p2, cluster.p3]);
    expect(r.cuts[0]).toEqual([0, 128, 140]);
    // 140 rows are 35 KiB; the commands that cut them are a small fraction of that.
    expect(bytes).toBeLessThan((140 * rowBytes) / 8);
    expect(await getindex(r, 139, 3)).toBe(M.get(139, 3));
    for (const x of [dA, r]) x.close();
  });

  it('a column slice of a matrix split by columns is cut on the owners too', async () => {
    const dA = await distribute(M, { procs: [cluster.p2, cluster.p3], dist: [1, 2] });
    const { r, bytes } = await bytesOf(() => getindex(dA, ':', [8, 24]));
    expect(r.pids).toEqual([cluster.p2, cluster.p3]);
    expect(r.cuts[1]).toEqual([0, 8, 16]);
    expect(bytes).toBeLessThan((256 * 16 * 8) / 8);
    for (const x of [dA, r]) x.close();
  });

  it('rows picked out of order are fetched owner to owner: about the slice, never the array', async () => {
    const dA = await distribute(M, { procs: [cluster.p2, cluster.p3] });
    // Alternating between the owners, so the result cannot follow the source's chunks.
    const rows = Int32Array.of(200, 3, 201, 4, 202, 5, 203, 6, 204, 7, 205, 8, 206, 9, 207, 10);
    const { r, bytes } = await bytesOf(() => getindex(dA, rows, ':'));
    const slice = rows.length * rowBytes;
    expect(r.pids).toEqual([cluster.p2, cluster.p3]);
    // Each new owner holds half the rows already; the other half (slice / 2) crosses once.
    expect(bytes).toBeGreaterThan(slice / 2);
    expect(bytes).toBeLessThan(slice + 4096);
    expect(bytes).toBeLessThan(M.size * 8);
    const got = await getindex(r, 1, [0, 4]);
    expect([...(await collect(got)).data]).toEqual([0, 1, 2, 3].map((j) => M.get(3, j)));
    for (const x of [dA, r, got]) x.close();
  });

  it('setindex sends each owner only its part of a host value', async () => {
    const dA = await distribute(M, { procs: [cluster.p2, cluster.p3] });
    const block = rand([40, 32], { seed: 2 });
    const before = wireStats().bytesSent;
    await setindex(dA, block, [108, 148], ':');
    const sent = wireStats().bytesSent - before;
    expect(sent).toBeGreaterThan(block.size * 8);
    expect(sent).toBeLessThan(block.size * 8 + 4096);
    expect(await getindex(dA, 108, 0)).toBe(block.get(0, 0));
    expect(await getindex(dA, 147, 31)).toBe(block.get(39, 31));
    expect(await getindex(dA, 148, 0)).toBe(M.get(148, 0));
    dA.close();
  });

  it('a view of a DArray copies nothing until read, and reads only its elements', async () => {
    const dA = await distribute(M, { procs: [cluster.p2, cluster.p3] });
    const b0 = await bytesEverywhere();
    const b1 = await bytesEverywhere();
    const col = await view(dA, ':', 5);
    // Making the view sends nothing (a heartbeat may pass meanwhile: a few bytes).
    expect((await bytesEverywhere()) - b1 - (b1 - b0)).toBeLessThan(256);
    expect(await getindex(col, 200)).toBe(M.get(200, 5));
    dA.close();
  });
});
