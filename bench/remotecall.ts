/**
 * remotecallFetch round trip and bulk fetch against a raw TCP socket between two Node processes,
 * measured in the same run, interleaved round by round so that machine noise hits both alike.
 * Targets: round trip ≤ 1.5× raw TCP (median), p99 ≤ 3× raw p99; 64 MiB fetch ≥ 70 % of raw
 * throughput. Also reported, without a target: this process's CPU time per round trip, and the p99
 * of the first 1000 round trips after start. The raw message is as long as the call's frame,
 * measured with wireStats. Both paths are warmed up with WARMUP round trips first: on the 2-core VM
 * the slowest 1 % of the first few thousand calls are V8 tiering up (compiler threads take a core
 * from one of the two busy processes), which is not the protocol's steady state.
 * Environment: ROUNDS, PER_ROUND, WARMUP (default 10000), BULK_REPS (0 skips the bulk part),
 * WORKER_EXEFLAGS (flags for the worker's node, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof', which
 * NODE_OPTIONS refuses).
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { addprocs, remotecallFetch, rmprocs, wireStats } from '../src/index.js';
import { median, quantile, type Row, report } from './lib/report.js';

const BULK_BYTES = 64 * 1024 * 1024;
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PER_ROUND = Number(process.env.PER_ROUND ?? 1000);
const BULK_REPS = Number(process.env.BULK_REPS ?? 5);
const WARMUP = Number(process.env.WARMUP ?? 10000);
/** Round trips after start whose p99 is reported apart (no target). */
const COLD = 1000;

async function startRawPeer() {
  const script = fileURLToPath(new URL('./peers/raw-tcp.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(BULK_BYTES)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = Number(
    await new Promise<string>((r) => createInterface({ input: child.stdout }).once('line', r)),
  );
  const socket = await new Promise<Socket>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
  });
  socket.setNoDelay(true);
  let onData: (d: Buffer) => void = () => {};
  socket.on('data', (d: Buffer) => onData(d));
  let msg = Buffer.alloc(48, 1);
  return {
    /** Sets the size of the round-trip message (to that of a call frame). */
    setMessageBytes(n: number) {
      msg = Buffer.alloc(n, 1);
    },
    /** One small round trip, in microseconds. */
    async roundTrip(): Promise<number> {
      const t = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        let got = 0;
        onData = (d) => {
          got += d.length;
          if (got >= msg.length) resolve();
        };
        socket.write(msg);
      });
      return Number(process.hrtime.bigint() - t) / 1e3;
    },
    /** Receives the bulk block into a preallocated buffer (one copy, as any consumer needs); seconds. */
    async bulk(): Promise<number> {
      const into = Buffer.allocUnsafeSlow(BULK_BYTES);
      const t = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        let got = 0;
        onData = (d) => {
          d.copy(into, got);
          got += d.length;
          if (got >= BULK_BYTES) resolve();
        };
        socket.write(Buffer.from([0x42]));
      });
      return Number(process.hrtime.bigint() - t) / 1e9;
    },
    close() {
      socket.destroy();
      child.stdin.end();
    },
  };
}

async function main() {
  const raw = await startRawPeer();
  const exeflags = process.env.WORKER_EXEFLAGS?.split(' ').filter((f) => f !== '') ?? [];
  const [p] = await addprocs(1, { exeflags });
  if (p === undefined) throw new Error('no worker');
  const echo = (x: number) => x;
  if (BULK_REPS > 0) {
    await remotecallFetch(() => {
      (globalThis as unknown as { big: Float64Array }).big = new Float64Array((64 * 1024 * 1024) / 8).fill(1);
    }, p);
  }
  const ours: number[] = [];
  const peer: number[] = [];
  const inline: number[] = [];
  // Warm up both paths (JIT, connection, function cache), keeping the first calls' times.
  const coldOurs: number[] = [];
  for (let i = 0; i < Math.max(WARMUP, COLD); i++) {
    const t = process.hrtime.bigint();
    await remotecallFetch(echo, p, i);
    if (i < COLD) coldOurs.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  // A closure written in the call is a new function object each time (analysed once by its source).
  for (let i = 0; i < WARMUP / 5; i++) await remotecallFetch((x: number) => x, p, i);
  const before = wireStats();
  await remotecallFetch(echo, p, 1000);
  const callBytes = wireStats().bytesSent - before.bytesSent;
  raw.setMessageBytes(callBytes);
  const coldPeer: number[] = [];
  for (let i = 0; i < Math.max(WARMUP, COLD); i++) {
    const t = await raw.roundTrip();
    if (i < COLD) coldPeer.push(t);
  }
  // This process's CPU time (user + system, all threads) per round trip, each path apart: the
  // protocol's own cost, which machine noise in the wall-clock times does not hide.
  let oursCpu = 0;
  let peerCpu = 0;
  const cpuSince = (c: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c);
    return d.user + d.system;
  };
  for (let r = 0; r < ROUNDS; r++) {
    let c = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) {
      const t = process.hrtime.bigint();
      await remotecallFetch(echo, p, i);
      ours.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
    oursCpu += cpuSince(c);
    c = process.cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) peer.push(await raw.roundTrip());
    peerCpu += cpuSince(c);
    for (let i = 0; i < PER_ROUND / 4; i++) {
      const t = process.hrtime.bigint();
      await remotecallFetch((x: number) => x, p, i);
      inline.push(Number(process.hrtime.bigint() - t) / 1e3);
    }
  }
  const bulkOurs: number[] = [];
  const bulkPeer: number[] = [];
  const fetchBig = () => (globalThis as unknown as { big: Float64Array }).big;
  for (let r = 0; BULK_REPS > 0 && r < BULK_REPS + 1; r++) {
    const t = process.hrtime.bigint();
    const a = await remotecallFetch(fetchBig, p);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (a.length !== BULK_BYTES / 8) throw new Error('short bulk fetch');
    const rs = await raw.bulk();
    // The first repetition only warms up.
    if (r > 0) {
      bulkOurs.push(BULK_BYTES / s / 1e9);
      bulkPeer.push(BULK_BYTES / rs / 1e9);
    }
  }
  raw.close();
  await rmprocs(p);
  const rtMed = median(ours);
  const rawMed = median(peer);
  const p99 = quantile(ours, 0.99);
  const rawP99 = quantile(peer, 0.99);
  const rows: Row[] = [
    {
      metric: 'round trip, median',
      ours: rtMed,
      peer: rawMed,
      unit: 'µs',
      ratio: rtMed / rawMed,
      target: '≤ 1.5×',
      pass: rtMed / rawMed <= 1.5,
    },
    {
      metric: 'round trip, p99',
      ours: p99,
      peer: rawP99,
      unit: 'µs',
      ratio: p99 / rawP99,
      target: '≤ 3×',
      pass: p99 / rawP99 <= 3,
    },
    {
      metric: 'round trip, a closure written in the call, median',
      ours: median(inline),
      peer: rawMed,
      unit: 'µs',
      ratio: median(inline) / rawMed,
      note: 'remotecallFetch((x) => x, p, i): a new function object every call, analysed once by its source; no target',
    },
    {
      metric: `round trip p99, first ${COLD} after start`,
      ours: quantile(coldOurs, 0.99),
      peer: quantile(coldPeer, 0.99),
      unit: 'µs',
      ratio: quantile(coldOurs, 0.99) / quantile(coldPeer, 0.99),
      note: `before the ${WARMUP} warm-up round trips end, no target`,
    },
    {
      metric: 'caller CPU per round trip',
      ours: oursCpu / (ROUNDS * PER_ROUND),
      peer: peerCpu / (ROUNDS * PER_ROUND),
      unit: 'µs',
      ratio: oursCpu / peerCpu,
      note: 'user + system time of this process (process.cpuUsage), no target',
    },
  ];
  if (BULK_REPS > 0) {
    const bulkMed = median(bulkOurs);
    const rawBulkMed = median(bulkPeer);
    rows.push({
      metric: 'fetch 64 MiB Float64Array',
      ours: bulkMed,
      peer: rawBulkMed,
      unit: 'GB/s',
      ratio: bulkMed / rawBulkMed,
      target: '≥ 0.70×',
      pass: bulkMed / rawBulkMed >= 0.7,
    });
  }
  report('remotecall', rows, {
    rounds: ROUNDS,
    perRound: PER_ROUND,
    callBytes,
    bulkBytes: BULK_BYTES,
    node: process.version,
  });
}

await main();
