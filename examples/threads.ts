/**
 * The manual's multi-threading section with threadsFor: each thread writes its threadid() into its
 * share of an array, then a counter is summed by every thread, racily with a plain `+=` and
 * exactly with an Atomic.
 * Run: npm run build && node dist/examples/threads.js [threads]
 */
import { Atomic, nthreads, setThreads, threadid, threadsFor } from '../src/index.js';

setThreads(Number(process.argv[2] ?? 4));
console.log(`nthreads() = ${nthreads()}, threadid() = ${threadid()}`);

// Arrays over a SharedArrayBuffer are shared by the threads; other arguments would be copied.
const a = new Float64Array(new SharedArrayBuffer(8 * 10));
await threadsFor(
  [0, 10],
  (i, a) => {
    a[i] = threadid();
  },
  a,
);
console.log(`a = [${a.join(', ')}]`);

const n = 1_000_000;
const racy = new Int32Array(new SharedArrayBuffer(4));
await threadsFor(
  [0, n],
  (_i, racy) => {
    // A read then a write: two threads may read the same value, and one increment is lost.
    racy[0] = (racy[0] ?? 0) + 1;
  },
  racy,
);
console.log(`plain += over ${n} iterations: ${racy[0]}`);

const acc = new Atomic('int32', 0);
await threadsFor(
  [0, n],
  (_i, acc) => {
    acc.add(1);
  },
  acc,
);
console.log(`Atomic add over ${n} iterations: ${acc.load()}`);
