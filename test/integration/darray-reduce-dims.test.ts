// A reduction of a DArray along dims stays distributed and moves only partial results: each owner
// reduces its own chunk, and only the chunks that share an output block send their (small)
// partials, worker to worker, to that block's owner. Nothing the size of a chunk crosses the wire.
import { describe, expect, it } from 'vitest';
import {
  collect,
  DArray,
  distribute,
  findmax,
  rand,
  remotecallFetch,
  sum,
  wireStats,
} from '../../src/index.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });
const pids = () => [cluster.p2, cluster.p3];

const sent = () => Promise.all(pids().map((p) => remotecallFetch(() => wireStats().bytesSent, p)));

describe('DArray reductions along dims', () => {
  it('keep the result distributed and send only partials (row blocks, 2 workers)', async () => {
    const A = rand([400, 300], { seed: 1 });
    const dA = await distribute(A, { procs: pids() });
    const chunkBytes = 200 * 300 * 8;
    for (const dims of [0, 1]) {
      const before = await sent();
      const s = await sum(dA, { dims });
      expect(s).toBeInstanceOf(DArray);
      const d = s as DArray;
      // Along the distributed axis the two row blocks share one output block, owned by the first;
      // along the other axis each worker keeps its own rows' sums.
      expect([...d.shape]).toEqual(dims === 0 ? [1, 300] : [400, 1]);
      expect([...d.pids]).toEqual(dims === 0 ? [cluster.p2] : pids());
      const host = await collect(d);
      const after = await sent();
      const moved = after.map((b, i) => b - (before[i] as number));
      // The collect itself sends the result (at most 400 numbers) to the master; a chunk is 480 kB.
      for (const m of moved) expect(m).toBeLessThan(chunkBytes / 20);
      for (let j = 0; j < 5; j++) {
        let want = 0;
        for (let i = 0; i < (dims === 0 ? 400 : 300); i++) want += dims === 0 ? A.get(i, j) : A.get(j, i);
        expect(host.data[j]).toBeCloseTo(want, 9);
      }
      d.close();
    }
    const [v, i] = await findmax(dA);
    expect(v).toBe(Math.max(...A.data));
    expect(A.data[i]).toBe(v);
    dA.close();
  });
});
