/**
 * The manual's coin-flipping example with distributedFor: each worker flips its share of coins
 * and sums them locally; only one number per worker returns to the master.
 * Run: npm run build && node dist/examples/count-heads.js [flips]
 */
import { addprocs, distributedFor, rmprocs } from '../src/index.js';

const n = Number(process.argv[2] ?? 2e7);
const pids = await addprocs(2);
const t0 = performance.now();
const heads = await distributedFor(
  [0, n],
  () => Number(Math.random() < 0.5),
  (a, b) => a + b,
);
const ms = performance.now() - t0;
console.log(`${heads} heads in ${n} flips (${((100 * heads) / n).toFixed(3)} %) in ${ms.toFixed(0)} ms`);
await rmprocs(pids);
