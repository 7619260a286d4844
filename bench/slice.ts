/**
 * Slicing a DArray (n = 8192, float64, rows split over 2 local workers): a row slice (half the rows,
 * across both owners) and a column slice (half the columns). For each: bytes sent by every process
 * against the slice's size (the slices are cut on the owners, so only commands should move), and
 * the time against a local copy of the same number of bytes (getindex of a whole NDArray).
 * Run: npm run build && npm run bench -- slice   (BENCH_N, BENCH_ROUNDS to change the size)
 */
import {
  addprocs,
  type DArray,
  drand,
  getindex,
  type Index,
  localpart,
  procs,
  rand,
  remotecallFetch,
  rmprocs,
  wireStats,
} from '../src/index.js';
import { bestOf } from './common.js';
import { type Row, report } from './lib/report.js';

const N = Number(process.env.BENCH_N ?? 8192);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Bytes sent so far by every process (the snapshot's own request and replies included). */
async function totalBytes(): Promise<number> {
  const others = await Promise.all(
    procs()
      .filter((p) => p !== 1)
      .map((p) => remotecallFetch(() => wireStats().bytesSent, p)),
  );
  return wireStats().bytesSent + others.reduce((a, b) => a + b, 0);
}

/** Slices `dA` and waits until every chunk of the result exists on its owner. */
async function slice(dA: DArray, idx: Index[]): Promise<DArray> {
  const r = await getindex(dA, ...idx);
  await Promise.all(r.pids.map((p) => remotecallFetch((d: DArray) => localpart(d).then(() => 0), p, r)));
  return r;
}

async function measure(dA: DArray, label: string, idx: Index[], shape: number[]): Promise<Row> {
  const sliceBytes = shape[0]! * shape[1]! * 8;
  // Bytes: one slice, less what reading the counters costs (measured the same way just before).
  const b0 = await totalBytes();
  const b1 = await totalBytes();
  const r = await slice(dA, idx);
  const b2 = await totalBytes();
  r.close();
  const moved = b2 - b1 - (b1 - b0);
  const ours = await bestOf(ROUNDS, async () => (await slice(dA, idx)).close());
  const local = rand(shape, { seed: 3 });
  // Each copy is freed before the next, as each DArray slice is, so that neither side pays for
  // fresh pages every round.
  const copy = await bestOf(ROUNDS, async () => {
    const c = await getindex(local, ':', ':');
    if (typeof c !== 'number') c.dispose?.();
  });
  return {
    metric: `${label} of ${N}×${N} float64 on 2 workers`,
    ours: ours * 1e3,
    peer: copy * 1e3,
    unit: 'ms',
    ratio: ours / copy,
    note:
      `vs a local NDArray copy of the same ${(sliceBytes / 2 ** 20).toFixed(0)} MiB; bytes moved (all processes) ` +
      `${moved} = ${(moved / sliceBytes).toExponential(2)} of the slice`,
  };
}

async function main() {
  const pids = await addprocs(2);
  const dA = (await drand([N, N], { seed: 1 })) as DArray;
  const h = N / 2;
  const rows = await measure(dA, 'row slice A[n/4:3n/4, :]', [[N / 4, N / 4 + h], ':'], [h, N]);
  const cols = await measure(dA, 'column slice A[:, n/4:3n/4]', [':', [N / 4, N / 4 + h]], [N, h]);
  dA.close();
  await rmprocs(pids);
  report('slice', [rows, cols], { n: N, rounds: ROUNDS, workers: pids.length });
}

await main();
