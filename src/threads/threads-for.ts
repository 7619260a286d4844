/**
 * threadsFor: Julia's `Threads.@threads for` with the :static schedule. The range is cut into
 * nthreads() contiguous chunks, the larger first; chunk 1 runs on the calling (main) thread and
 * chunk k on pool thread k, and the call resolves when every chunk has finished.
 */
import { state } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { checkLoopRange, splitLoopRange } from '../parallel/ranges.js';
import { CompositeException } from '../remote/exceptions.js';
import { type FunctionDescriptor, functionDescriptor, functionFromDescriptor } from '../remote/ship.js';
import { loadedModules } from '../remote/user-scope.js';
import { type ChunkResult, runChunk } from './chunk.js';
import { inPoolThread, nthreads, threadid } from './config.js';
import { ThreadException } from './exceptions.js';
import { runOnThread } from './pool.js';
import { decodeArg, type EncodedArg, encodeArg } from './transfer.js';

type Body<A extends unknown[]> = (i: number, ...args: A) => unknown;

/** Loops on this process run one after another, as they share the pool's threads. */
let queue: Promise<unknown> = Promise.resolve();
/** True while the main thread runs its own chunk, so that a nested loop runs there serially. */
let inMainChunk = false;

/** The arguments as the threads will see them; a value that cannot be cloned is named here. */
function encodeArgs(args: unknown[]): { encoded: EncodedArg[]; local: unknown[] } {
  const encoded = args.map((a) => encodeArg(a));
  const local = encoded.map((e, k) => {
    try {
      // The calling thread gets a copy too, so every chunk sees the same (copied or shared) values.
      return decodeArg(structuredClone(e));
    } catch (err) {
      throw new ArgumentError(
        `threadsFor: argument ${k + 1} (${describe(args[k])}) cannot be sent to a thread: ${(err as Error).message}. ` +
          'Pass numbers, strings, plain objects and arrays (copied), TypedArrays over a SharedArrayBuffer, Atomics or SharedArrays (shared), or functions',
      );
    }
  });
  return { encoded, local };
}

function failure(tid: number, r: ChunkResult): ThreadException | undefined {
  return r.ok ? undefined : new ThreadException(tid, r.iteration, r.error);
}

/** Runs the loop on this thread alone: a nested loop, a loop on a pool thread, or nthreads() = 1. */
async function runHere(body: FunctionDescriptor, args: unknown[], start: number, end: number): Promise<void> {
  const fn = functionFromDescriptor(body) as Body<unknown[]>;
  const err = failure(threadid(), await runChunk(fn, args, start, end));
  if (err) throw err;
}

async function runLoop(
  body: FunctionDescriptor,
  encoded: EncodedArg[],
  local: unknown[],
  start: number,
  end: number,
  n: number,
): Promise<void> {
  const parts = splitLoopRange(start, end, n);
  const modules = [...loadedModules.keys()];
  const others = parts.slice(1).map(([lo, hi], k) =>
    hi > lo
      ? runOnThread(k + 2, {
          body,
          args: encoded,
          lo,
          hi,
          size: n,
          myid: state.myid,
          isWorker: state.isWorker,
          modules,
        })
      : Promise.resolve<ChunkResult>({ ok: true }),
  );
  const [lo, hi] = parts[0] as [number, number];
  let mine: ChunkResult;
  inMainChunk = true;
  try {
    mine = await runChunk(functionFromDescriptor(body) as Body<unknown[]>, local, lo, hi);
  } finally {
    inMainChunk = false;
  }
  const results = [mine, ...(await Promise.all(others))];
  const errors = results.map((r, k) => failure(k + 1, r)).filter((e) => e !== undefined);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new CompositeException(errors, 'threadsFor', 'thread');
}

/**
 * Runs `body(i, ...args)` for every i in [start, end) on nthreads() threads, each taking one
 * contiguous chunk (Julia's `Threads.@threads for` with the :static schedule); resolves when all
 * are done. The body is shipped as for remote calls: it may use the darray API (threadid, Atomic,
 * …) and its arguments, not variables it captures. TypedArrays over a SharedArrayBuffer, Atomics
 * and SharedArrays are shared by all threads; any other argument is copied to each thread, so
 * writes to it are not seen by the caller. An iteration that throws stops its thread's chunk, and
 * the call rejects with a ThreadException (a CompositeException when several threads failed).
 * Inside a loop body a nested threadsFor runs serially on the current thread.
 *
 * @example
 * const a = new Int32Array(new SharedArrayBuffer(4 * 10))
 * await threadsFor([0, 10], (i, a) => { a[i] = threadid() }, a) // a = 1,1,1,2,2,2,3,3,4,4 on 4 threads
 */
export function threadsFor<A extends unknown[]>(
  range: [number, number],
  body: Body<A>,
  ...args: A
): Promise<void> {
  const [start, end] = checkLoopRange(range, 'threadsFor', 'threadsFor([0, 100], (i) => …)');
  if (typeof body !== 'function') {
    throw new ArgumentError(
      `threadsFor: the body must be a function such as (i, a) => { a[i] = threadid() }, got ${describe(body)}`,
    );
  }
  const shipped = functionDescriptor(body as (...args: never[]) => unknown, 'threadsFor: the body');
  const { encoded, local } = encodeArgs(args);
  if (inPoolThread() || inMainChunk) return runHere(shipped, local, start, end);
  const n = nthreads();
  if (start === end) return Promise.resolve();
  const loop = queue.then(() => runLoop(shipped, encoded, local, start, end, n));
  queue = loop.catch(() => undefined);
  return loop;
}
