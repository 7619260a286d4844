/**
 * How many threads threadsFor uses on this process (Julia's `nthreads`) and which one is running
 * (Julia's `threadid`). The main thread is thread 1; pool threads are 2…n.
 */
import { availableParallelism } from 'node:os';
import { state } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';

/** The most threads setThreads and DARRAY_THREADS accept: far past any core count, short of a typo. */
export const MAX_THREADS = 1024;

let configured: number | undefined;
/** This thread's number, 1 on the main thread. */
let current = 1;
/** Set on a pool thread: the size of the pool it belongs to. */
let poolSize: number | undefined;
const resizeHooks: ((n: number) => void)[] = [];

function fromEnv(): number | undefined {
  const raw = process.env.DARRAY_THREADS;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ArgumentError(
      `DARRAY_THREADS must be a whole number of threads from 1 to ${MAX_THREADS}, got ${JSON.stringify(raw)}; ` +
        'unset it to use the default (the core count on the master, 1 on workers)',
    );
  }
  return n;
}

/**
 * The number of threads threadsFor splits its range over (Julia's `Threads.nthreads()`): set by
 * setThreads, else the env DARRAY_THREADS, else the core count on the master and 1 on workers
 * (as Julia's workers start with one thread).
 *
 * @example console.log(nthreads()) // e.g. 8 on an 8-core master
 */
export function nthreads(): number {
  if (poolSize !== undefined) return poolSize;
  return configured ?? fromEnv() ?? (state.isWorker ? 1 : availableParallelism());
}

/**
 * Sets the number of threads threadsFor uses from now on on this process (Julia fixes it at start
 * with JULIA_NUM_THREADS; here it may change between loops). Idle pool threads of another count
 * are ended. On a worker, call it there: `remotecallFetch(() => setThreads(4), pid)`.
 *
 * @example setThreads(4); await threadsFor([0, 8], (i) => console.log(i, threadid()))
 */
export function setThreads(n: number): void {
  if (poolSize !== undefined) {
    throw new ArgumentError(
      `setThreads: call it on the main thread, not inside threadsFor (this is thread ${current})`,
    );
  }
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ArgumentError(
      `setThreads: expected a whole number of threads from 1 to ${MAX_THREADS}, got ${describe(n)}`,
    );
  }
  for (const hook of resizeHooks) hook(n);
  configured = n;
}

/** Runs `hook(n)` before the thread count changes to n (the pool ends its idle threads there). */
export function onResize(hook: (n: number) => void): void {
  resizeHooks.push(hook);
}

/**
 * The number of the running thread, 1-based as Julia's `Threads.threadid()`: 1 on the main thread
 * (which runs threadsFor's first chunk), 2…nthreads() on the pool threads.
 *
 * @example await threadsFor([0, 4], (i, ids) => { ids[i] = threadid() }, ids)
 */
export function threadid(): number {
  return current;
}

/** Whether this is a pool thread (set by the thread's entry, never on the main thread). */
export function inPoolThread(): boolean {
  return poolSize !== undefined;
}

/** Called once by a pool thread's entry: its number and the size of its pool. */
export function enterPoolThread(tid: number, size: number): void {
  current = tid;
  poolSize = size;
}
