/**
 * threadsFor over 10^7 trivial iterations (one write each into a shared Float64Array), against a
 * plain loop on the main thread doing the same writes; and the cost of one threadsFor call, with
 * an empty range and with one iteration per thread (a round trip to every pool thread).
 */
import { nthreads, setThreads, threadsFor } from '../src/index.js';
import { median, report } from './lib/report.js';

const N = Number(process.env.ITERS ?? 1e7);
const REPS = Number(process.env.REPS ?? 5);
const CALLS = Number(process.env.CALLS ?? 2000);
if (process.env.THREADS) setThreads(Number(process.env.THREADS));

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

async function main() {
  const n = nthreads();
  const a = new Float64Array(new SharedArrayBuffer(8 * N));
  const fill = (i: number, a: Float64Array) => {
    a[i] = i * 0.5;
  };
  // Warm up: start the threads and compile the body on each.
  await threadsFor([0, N], fill, a);
  const plain: number[] = [];
  const threaded: number[] = [];
  for (let r = 0; r < REPS; r++) {
    let t0 = performance.now();
    for (let i = 0; i < N; i++) a[i] = i * 0.5;
    plain.push(N / seconds(t0));
    t0 = performance.now();
    await threadsFor([0, N], fill, a);
    threaded.push(N / seconds(t0));
  }

  const empty: number[] = [];
  const perThread: number[] = [];
  const noop = () => {};
  for (let r = 0; r < REPS; r++) {
    let t0 = performance.now();
    for (let c = 0; c < CALLS; c++) await threadsFor([0, 0], noop);
    empty.push((1e6 * seconds(t0)) / CALLS);
    t0 = performance.now();
    for (let c = 0; c < CALLS; c++) await threadsFor([0, n], noop);
    perThread.push((1e6 * seconds(t0)) / CALLS);
  }
  report(
    'threads',
    [
      {
        metric: `threadsFor ${N} writes, ${n} threads`,
        ours: median(threaded),
        peer: median(plain),
        unit: 'iterations/s',
        ratio: median(threaded) / median(plain),
        note: 'peer: a plain for loop on the main thread writing the same array; ratio = speedup',
      },
      {
        metric: 'threadsFor call, empty range',
        ours: median(empty),
        unit: 'µs/call',
        note: 'argument checks and shipping the body; no thread is involved',
      },
      {
        metric: `threadsFor call, ${n} iterations (one per thread)`,
        ours: median(perThread),
        unit: 'µs/call',
        note: 'a message to and from every pool thread',
      },
    ],
    { iterations: N, reps: REPS, calls: CALLS, threads: n },
  );
}

await main();
