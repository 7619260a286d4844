/**
 * sum along dims of a distributed matrix (n = 8192, float64, on 2 local workers, the default row
 * blocks) against NumPy's `A.sum(axis=k)` on the whole array, in the same run and in alternating
 * rounds. Along axis 1 each worker sums its own rows and nothing travels but the result; along
 * axis 0 each worker sums its rows' columns and the partial row crosses to the output's owner.
 * Run: npm run build && npm run bench -- reduce-dims   (BENCH_N, BENCH_ROUNDS for a short check)
 */
import { join } from 'node:path';
import { addprocs, type DArray, drand, rmprocs, sum } from '../src/index.js';
import { PairedRounds, PeerProcess, repoRoot } from './common.js';
import { type Row, report } from './lib/report.js';

const N = Number(process.env.BENCH_N ?? 8192);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function timeSum(dA: DArray, axis: number): Promise<number> {
  const t = performance.now();
  const s = await sum(dA, { dims: axis });
  // The result stays distributed; waiting for its chunks to exist closes the timing.
  await sum(s);
  const seconds = (performance.now() - t) / 1000;
  s.dispose?.();
  return seconds;
}

async function main() {
  const started = await PeerProcess.start<Record<string, unknown>>('python3', [
    join(repoRoot(), 'bench/peers/reduce_dims.py'),
    String(N),
  ]);
  const peer = started.ok ? started.value.peer : undefined;
  const pids = await addprocs(2);
  const dA = (await drand([N, N], { seed: 1 })) as DArray;
  const rows: Row[] = [];
  const results: Record<string, unknown> = {};
  for (const axis of [0, 1]) {
    await timeSum(dA, axis);
    const paired = new PairedRounds();
    let ours = Number.POSITIVE_INFINITY;
    let theirs = Number.POSITIVE_INFINITY;
    for (let r = 0; r < ROUNDS; r++) {
      const t = await timeSum(dA, axis);
      ours = Math.min(ours, t);
      if (peer) {
        const { seconds } = await peer.request<{ seconds: number }>(`run ${axis}`);
        theirs = Math.min(theirs, seconds);
        paired.add(t, seconds);
      }
      console.log(`axis ${axis} round ${r + 1}/${ROUNDS}: darray ${(t * 1e3).toFixed(1)} ms`);
    }
    results[`axis${axis}`] = { ours, numpy: peer ? theirs : null };
    rows.push(
      peer
        ? {
            metric: `sum(dA, { dims: ${axis} }) vs NumPy A.sum(axis=${axis})`,
            ours: ours * 1e3,
            peer: theirs * 1e3,
            unit: 'ms',
            ratio: ours / theirs,
            note: `median of per-round ratios ${paired.medianRatio().toFixed(2)}× over ${ROUNDS} rounds; ${((N * N * 8) / ours / 1e9).toFixed(1)} GB/s read`,
          }
        : {
            metric: `sum(dA, { dims: ${axis} })`,
            ours: ours * 1e3,
            unit: 'ms',
            note: `NumPy peer skipped: ${started.ok ? '' : started.reason}`,
          },
    );
  }
  peer?.close();
  dA.close();
  await rmprocs(pids);
  report('reduce-dims', rows, { n: N, rounds: ROUNDS, workers: pids.length, ...results });
}

await main();
