/**
 * A pool of worker threads over the shared WASM memory for the heavy CPU kernels. The calling
 * thread takes one share of the work itself and then blocks (Atomics.wait) until the workers
 * finish, so a call costs a few microseconds of signalling rather than a message round trip.
 *
 * Control block per worker (Int32 slots): 0 request sequence, 1 done sequence, 2 op, 3 error flag,
 * 4 ready flag, 5 native matvec loaded; Float64 slots 4..15 carry the arguments (ARGS). Broadcast loops, compiled to WASM
 * modules, travel as bytes through a shared text area and are instantiated once per worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { wasmMemory } from './heap.js';
import { wasmKernels } from './module.js';
import { nativeMatvec } from './native-matvec.js';

const SLOT_INTS = 32;
// Module bytes in the first half, the JSON argument list in the second; a lambda whose lowered IR
// compiles larger runs on the calling thread instead (see textFits).
const TEXT_BYTES = 1 << 18;
/**
 * How long an idle worker, and the caller awaiting workers, poll before blocking. Long enough to
 * cover the gap between the matvecs of an iterative solver, short enough that an idle pool
 * stops burning its cores almost at once.
 */
const SPIN_MS = 2;
/**
 * Ints between two parts' row counters: one cache line each, so a thread claiming its own rows
 * does not bounce the line the other threads claim from.
 */
const COUNTER_STRIDE = 16;

/**
 * First row of share `i` of `parts` over `m` rows (`i = parts` gives `m`). Shares start on
 * multiples of 4 rows so every row goes through the kernel's 4-row loop, whichever thread runs it.
 * The worker threads evaluate the same expression (see WORKER_SOURCE).
 */
export function shareBound(m: number, i: number, parts: number): number {
  return i >= parts ? m : Math.floor((m * i) / parts / 4) * 4;
}
function shareBoundSource(m: string, i: string, parts: string): string {
  return `(${i} >= ${parts} ? ${m} : Math.floor((${m} * (${i})) / ${parts} / 4) * 4)`;
}

/** Index of the first argument in a worker's Float64 view of its slot. */
export const ARGS = 4;

/** Ops the workers understand. */
export const PoolOp = {
  MatvecF64: 1,
  MatvecF32: 2,
  Broadcast: 3,
  NativeMatvecF64: 4,
  NativeMatvecF32: 5,
} as const;
// Matvec args: a, x, y, n, rows, chunk, parts, lda, acc; each part claims `chunk` rows at a time from its own
// share first, then from the others' (see claimRows).
/** An op code of {@link PoolOp}. */
export type PoolOp = (typeof PoolOp)[keyof typeof PoolOp];

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, text, slot, counters, nativeMatvec } = workerData;
const env = { memory, abort: () => { throw new Error('WASM kernel aborted'); } };
const k = new WebAssembly.Instance(module, { env }).exports;
const I = new Int32Array(control, slot * ${SLOT_INTS * 4}, ${SLOT_INTS});
const F = new Float64Array(control, slot * ${SLOT_INTS * 4}, ${SLOT_INTS / 2});
const C = new Int32Array(control);
// The native matvec (native/matvec.c) when the calling thread has it; slot 5 tells the caller
// whether this thread could load it too, since every row of one product must come from one kernel.
let nm = null;
if (nativeMatvec) try { const m = require(nativeMatvec); if (m.supported()) nm = m; } catch {}
I[5] = nm ? 1 : 0;
let hv = new Uint8Array(memory.buffer);
const loops = new Map();
const math = { mod: (a, b) => a % b };
for (const name of Object.getOwnPropertyNames(Math)) math[name] = Math[name];
Atomics.store(I, 4, 1);
let seen = 0;
for (;;) {
  // Spin a while before sleeping: iterative callers (powerMethod, cg) issue the next request a
  // few hundred microseconds later, and waking from Atomics.wait costs about that much on a VM.
  // The clock is read once per 1024 polls: reading it allocates, and a worker that allocates
  // stops for a scavenge now and then, in the middle of its share of a matvec.
  const spinUntil = performance.now() + ${SPIN_MS};
  for (let polls = 1; Atomics.load(I, 0) === seen; polls++)
    if ((polls & 1023) === 0 && performance.now() >= spinUntil) break;
  Atomics.wait(I, 0, seen);
  seen = Atomics.load(I, 0);
  if (seen < 0) break;
  try {
    const op = I[2];
    if (op === 1 || op === 2 || op === 4 || op === 5) {
      if (op > 3 && hv.buffer !== memory.buffer) hv = new Uint8Array(memory.buffer);
      const mv = op === 1 ? k.matvec_f64 : op === 2 ? k.matvec_f32 : op === 4 ? nm.f64.bind(null, hv) : nm.f32.bind(null, hv);
      const m = F[8], chunk = F[9], parts = F[10], lda = F[11], acc = F[12];
      for (let step = 0; step < parts; step++) {
        const q = (slot + 1 + step) % parts;
        const end = ${shareBoundSource('m', 'q + 1', 'parts')};
        const c = counters + q * ${COUNTER_STRIDE};
        for (let s = Atomics.add(C, c, chunk); s < end; s = Atomics.add(C, c, chunk))
          mv(F[4], F[5], F[6], F[7], lda, s, Math.min(end, s + chunk), acc);
      }
    }
    else if (op === 3) {
      const id = F[4];
      let run = loops.get(id);
      if (!run) {
        const bytes = new Uint8Array(text, 0, F[5]).slice();
        run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory }, m: math }).exports.run;
        loops.set(id, run);
      }
      const spec = JSON.parse(new TextDecoder().decode(new Uint8Array(text, ${TEXT_BYTES / 2}, F[9]).slice()));
      run(F[6], F[7], F[8], ...spec.map(Number));
    }
    I[3] = 0;
  } catch (e) {
    I[3] = 1;
  }
  Atomics.store(I, 1, seen);
  Atomics.notify(I, 1);
}
`;

interface Pool {
  workers: Worker[];
  control: SharedArrayBuffer;
  text: SharedArrayBuffer;
  ints: Int32Array;
  floats: Float64Array;
  /** Index in `ints` of part 0's row counter; part i's is COUNTER_STRIDE · i further on. */
  counters: number;
  seq: number;
  /** Loop id last written to the text area, so a loop is sent once per change. */
  sentLoop: number;
}

let pool: Pool | null | undefined;

/** Threads used for the heavy kernels, the calling thread included (DARRAY_THREADS overrides). */
export function threadCount(): number {
  const env = Number(process.env.DARRAY_THREADS);
  // Memory bandwidth saturates with a few threads; more only add signalling. Processes that share
  // a machine (DArray workers) should set DARRAY_THREADS=1.
  return Number.isInteger(env) && env > 0 ? env : Math.min(8, availableParallelism());
}

function startPool(): Pool | null {
  const w = wasmKernels();
  const nativeFile = nativeMatvec()?.file;
  const memory = wasmMemory();
  const n = threadCount() - 1;
  if (!w || !memory || n < 1) return null;
  // One slot per worker, then one row counter per part (the workers and the calling thread).
  const counters = SLOT_INTS * n;
  const control = new SharedArrayBuffer(4 * (counters + COUNTER_STRIDE * (n + 1)));
  const text = new SharedArrayBuffer(TEXT_BYTES);
  const workers: Worker[] = [];
  for (let slot = 0; slot < n; slot++) {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: w.module, memory, control, text, slot, counters, nativeMatvec: nativeFile },
    });
    // Idle workers must not keep the process alive.
    worker.unref();
    workers.push(worker);
  }
  return {
    workers,
    control,
    text,
    ints: new Int32Array(control),
    floats: new Float64Array(control),
    counters,
    seq: 0,
    sentLoop: -1,
  };
}

/** The pool once every worker is ready, else null (it starts in the background on first call). */
export function readyPool(): Pool | null {
  if (pool === undefined) pool = startPool();
  if (!pool) return null;
  for (let s = 0; s < pool.workers.length; s++)
    if (Atomics.load(pool.ints, s * SLOT_INTS + 4) !== 1) return null;
  return pool;
}

/** Starts the pool if needed and resolves once its workers are ready (false if there is none). */
export async function startThreads(timeoutMs = 10_000): Promise<boolean> {
  const t0 = Date.now();
  if (readyPool() === null && pool === null) return false;
  while (readyPool() === null) {
    if (Date.now() - t0 > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/**
 * Runs `parts.length` shares of an op: worker i gets `parts[i + 1]` (writing its args with
 * `fill(floats, base + ARGS + i)` for argument i), the calling thread runs `parts[0]` itself, then waits for all workers.
 */
export function runParallel(
  p: Pool,
  op: PoolOp,
  fill: (floats: Float64Array, base: number, part: number) => void,
  own: () => void,
): void {
  const seq = ++p.seq;
  for (let s = 0; s < p.workers.length; s++) {
    const base = s * SLOT_INTS;
    p.ints[base + 2] = op;
    fill(p.floats, base / 2, s + 1);
    Atomics.store(p.ints, base, seq);
    Atomics.notify(p.ints, base);
  }
  own();
  let failed = false;
  for (let s = 0; s < p.workers.length; s++) {
    const base = s * SLOT_INTS;
    const started = Date.now();
    // The caller's share usually ends first; polling avoids a futex wake-up on the critical path.
    const spinUntil = performance.now() + SPIN_MS;
    for (let polls = 1; Atomics.load(p.ints, base + 1) !== seq; polls++)
      if ((polls & 1023) === 0 && performance.now() >= spinUntil) break;
    for (;;) {
      const done = Atomics.load(p.ints, base + 1);
      if (done === seq) break;
      Atomics.wait(p.ints, base + 1, done, 1000);
      if (Date.now() - started > 120_000)
        throw new Error('darray: a kernel worker thread stopped responding');
    }
    if (p.ints[base + 3] === 1) failed = true;
  }
  if (failed) throw new Error('darray: a kernel failed in a worker thread');
}

/** Whether every pool thread loaded the native matvec, so a product may run it on all threads. */
export function poolHasNativeMatvec(p: Pool): boolean {
  for (let s = 0; s < p.workers.length; s++) if (Atomics.load(p.ints, s * SLOT_INTS + 5) !== 1) return false;
  return true;
}

/** Number of parts a parallel call is split into: the workers and the calling thread. */
export function partCount(p: Pool): number {
  return p.workers.length + 1;
}

/**
 * Sets each part's row counter to the start of its share of `m` rows, before a matvec call.
 * Shares are fixed so that a thread reads the same rows call after call and finds them in its
 * core's cache when its share fits there (on the 2-core test VM, two threads re-reading fixed
 * halves of a 16 MiB matrix read 87 GB/s, against 47 GB/s when the halves swapped each pass);
 * a thread that finishes early then helps with the others' shares, so one that starts late holds
 * no one up.
 */
export function resetRows(p: Pool, m: number): void {
  const parts = partCount(p);
  for (let q = 0; q < parts; q++)
    Atomics.store(p.ints, p.counters + q * COUNTER_STRIDE, shareBound(m, q, parts));
}

/**
 * Runs `kernel(start, end)` over rows claimed `chunk` at a time, from share `part`'s counter
 * first and then from the other shares' (see resetRows); the worker threads run the same loop.
 */
export function claimRows(
  p: Pool,
  part: number,
  m: number,
  chunk: number,
  kernel: (start: number, end: number) => void,
): void {
  const parts = partCount(p);
  for (let step = 0; step < parts; step++) {
    const q = (part + step) % parts;
    const end = shareBound(m, q + 1, parts);
    const c = p.counters + q * COUNTER_STRIDE;
    for (let s = Atomics.add(p.ints, c, chunk); s < end; s = Atomics.add(p.ints, c, chunk))
      kernel(s, Math.min(end, s + chunk));
  }
}

/** Whether a loop module and its argument list fit the pool's text area, to run on the threads. */
export function textFits(module: Uint8Array, spec: string): boolean {
  return module.length <= TEXT_BYTES / 2 && new TextEncoder().encode(spec).length <= TEXT_BYTES / 2;
}

/** Writes module bytes (once per loop id) and a JSON argument list into the text area. */
export function writeText(p: Pool, id: number, module: Uint8Array, spec: string): [number, number] {
  const enc = new TextEncoder();
  const bytes = new Uint8Array(p.text);
  let srcLen = 0;
  if (p.sentLoop !== id) {
    const s = module;
    if (s.length > TEXT_BYTES / 2)
      throw new Error('darray: broadcast loop source module too large for the pool');
    bytes.set(s, 0);
    srcLen = s.length;
    p.sentLoop = id;
  }
  const j = enc.encode(spec);
  if (j.length > TEXT_BYTES / 2) throw new Error('darray: too many broadcast arguments for the pool');
  bytes.set(j, TEXT_BYTES / 2);
  return [srcLen, j.length];
}
