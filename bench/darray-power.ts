/**
 * Distributed powerMethod on 2 local workers (n = 8192, float64, 100 iterations) against, in the
 * same run: NumPy with 1 and 2 BLAS threads, Dask array on a LocalCluster of 2 workers, and the
 * memory-bandwidth bound from a STREAM-like read with 2 threads. Also messages per iteration and
 * the per-iteration time at n = 256, where latency dominates.
 * Run: npm run build && npm run bench -- darray-power   (targets: ≤ 1.3× the bound; faster than
 * NumPy with 2 threads and than Dask)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { addprocs, type DArray, drand, powerMethod, procs, remotecallFetch, rmprocs, wireStats } from '../src/index.js';
import { PeerProcess, type PeerResult, repoRoot } from './common.js';
import { type Row, report } from './lib/report.js';

const N = Number(process.env.BENCH_N ?? 8192);
const ITERS = Number(process.env.BENCH_ITERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SMALL = 256;

/** The STREAM-like read, compiled here with the system C compiler. */
function streamRead(threads: number): PeerResult<number> {
  const src = join(repoRoot(), 'bench/peers/stream_read.c');
  const dir = join(repoRoot(), 'bench/results');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, 'stream_read');
  try {
    if (!existsSync(exe)) execFileSync('cc', ['-O3', '-march=native', '-pthread', src, '-o', exe]);
    const out = execFileSync(exe, [String(threads), '256', '12'], { encoding: 'utf8' });
    return { ok: true, value: (JSON.parse(out) as { gbps: number }).gbps };
  } catch (e) {
    return { ok: false, reason: `no C compiler or the read kernel failed (${(e as Error).message.split('\n')[0]})` };
  }
}

/** Frames sent by every process; the snapshot's own requests and replies are counted by the caller. */
async function totalFrames(): Promise<number> {
  const mine = wireStats().framesSent;
  const others = await Promise.all(procs().filter((p) => p !== 1).map((p) => remotecallFetch(() => wireStats().framesSent, p)));
  return mine + others.reduce((a, b) => a + b, 0);
}

async function timeDistributed(n: number, iters: number, rounds: number) {
  const dM = (await drand([n, n], { seed: 1 })) as DArray;
  const dv = (await drand([n], { seed: 2 })) as DArray;
  await powerMethod(dM, dv, { iters: 2 });
  let best = Number.POSITIVE_INFINITY;
  let lambda = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const [x, l] = await powerMethod(dM, dv, { iters });
    best = Math.min(best, (performance.now() - t) / 1000);
    lambda = l;
    x.dispose?.();
  }
  return { best, lambda, dM, dv };
}

async function peer(label: string, cmd: string, args: string[], env: Record<string, string>): Promise<PeerResult<number>> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const started = await PeerProcess.start<Record<string, unknown>>(cmd, args);
  process.env = saved;
  if (!started.ok) return { ok: false, reason: `${label}: ${started.reason}` };
  let best = Number.POSITIVE_INFINITY;
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const { seconds } = await started.value.peer.request<{ seconds: number }>();
      best = Math.min(best, seconds);
    }
  } catch (e) {
    return { ok: false, reason: `${label}: ${(e as Error).message}` };
  } finally {
    started.value.peer.close();
  }
  return { ok: true, value: best };
}

async function main() {
  const bytesPerIter = N * N * 8;
  const bw = streamRead(2);
  const bw1 = streamRead(1);
  const pids = await addprocs(2);
  const big = await timeDistributed(N, ITERS, ROUNDS);
  // Messages per iteration, counted on every process over a short run.
  const f0 = await totalFrames();
  const [mx] = await powerMethod(big.dM, big.dv, { iters: 10 });
  const f1 = await totalFrames();
  mx.dispose?.();
  const snapshotFrames = 2 * pids.length;
  // powerMethod's 10 iterations plus its closing λ evaluation (one mul and two norms).
  const perIter = (f1 - f0 - snapshotFrames) / 10;
  big.dM.close();
  big.dv.close();
  const small = await timeDistributed(SMALL, 200, 3);
  small.dM.close();
  small.dv.close();
  await rmprocs(pids);

  const py = 'python3';
  const script = join(repoRoot(), 'bench/peers/powermethod.py');
  const np1 = await peer('NumPy 1 thread', py, [script, String(N), 'float64', String(ITERS)], { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
  const np2 = await peer('NumPy 2 threads', py, [script, String(N), 'float64', String(ITERS)], { OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2' });
  const dask = existsSync('/usr/bin/python3')
    ? await peer('Dask', '/usr/bin/python3', [join(repoRoot(), 'bench/peers/dask_power.py'), String(N), String(ITERS), '2'], {
        OPENBLAS_NUM_THREADS: '1',
        OMP_NUM_THREADS: '1',
      })
    : { ok: false as const, reason: 'Dask: /usr/bin/python3 missing' };

  const ours = big.best / ITERS;
  const rows: Row[] = [];
  const add = (metric: string, r: PeerResult<number>, target?: string) => {
    if (!r.ok) {
      rows.push({ metric, ours: ours * 1e3, unit: 'ms/iter', note: `peer skipped: ${r.reason}` });
      return;
    }
    const theirs = r.value / ITERS;
    rows.push({ metric, ours: ours * 1e3, peer: theirs * 1e3, unit: 'ms/iter', ratio: ours / theirs, target, pass: target ? ours <= theirs : undefined });
  };
  if (bw.ok) {
    const bound = bytesPerIter / (bw.value * 1e9);
    rows.push({
      metric: 'vs 2-core read bandwidth bound',
      ours: ours * 1e3,
      peer: bound * 1e3,
      unit: 'ms/iter',
      ratio: ours / bound,
      target: '≤ 1.3×',
      pass: ours / bound <= 1.3,
      note: `STREAM-like read: ${bw.value.toFixed(1)} GB/s with 2 threads, ${bw1.ok ? bw1.value.toFixed(1) : '?'} GB/s with 1; matrix ${(bytesPerIter / 2 ** 20).toFixed(0)} MiB per iteration`,
    });
  } else rows.push({ metric: 'vs 2-core read bandwidth bound', ours: ours * 1e3, unit: 'ms/iter', note: bw.reason });
  add('vs NumPy, 2 BLAS threads', np2, 'faster');
  add('vs NumPy, 1 BLAS thread', np1);
  add('vs Dask array, LocalCluster(n_workers=2)', dask, 'faster');
  rows.push({ metric: 'messages per iteration (all processes)', ours: perIter, unit: 'frames', note: `P = ${pids.length} workers` });
  rows.push({ metric: `time per iteration at n = ${SMALL}`, ours: (small.best / 200) * 1e6, unit: 'µs', note: 'latency-bound overhead of one distributed iteration' });
  report('darray-power', rows, { n: N, iters: ITERS, rounds: ROUNDS, workers: pids.length, lambda: big.lambda });
}

await main();
