/**
 * The pool of worker_threads behind threadsFor: thread k (k = 2…n) is one long-lived Worker,
 * started on first use and kept for later loops. Idle threads are unref'd, so they never keep the
 * process alive; a thread is ref'd only while it runs a chunk someone awaits.
 *
 * Not piscina or tinypool: both hand a task to whichever thread is free and run a module file's
 * export, whereas a static schedule needs chunk k on thread k (threadid() must name it), and the
 * body is shipped source compiled once per thread by the remote-call machinery (ship.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { capture } from '../remote/exceptions.js';
import type { FunctionDescriptor } from '../remote/ship.js';
import type { ChunkResult } from './chunk.js';
import { onResize } from './config.js';
import type { EncodedArg } from './transfer.js';

/** One chunk of a loop, as a pool thread receives it. */
export interface ChunkTask {
  id: number;
  body: FunctionDescriptor;
  args: EncodedArg[];
  lo: number;
  hi: number;
  /** nthreads() for the loop, and this process's id, as the body sees them. */
  size: number;
  myid: number;
  isWorker: boolean;
  /** Modules loaded with everywhere() here, which the thread loads too before the body runs. */
  modules: string[];
}

/** A thread's answer to a task. */
export interface ChunkReply {
  id: number;
  result: ChunkResult;
}

interface PoolThread {
  worker: Worker;
  pending: Map<number, (r: ChunkResult) => void>;
}

const threads = new Map<number, PoolThread>();
let nextId = 1;
let exitHookInstalled = false;

/** Path of the compiled thread entry; running from the sources (tests), the build in dist/. */
function threadScript(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts')
    ? here.replace(/([\\/])src([\\/]threads[\\/])pool\.ts$/, '$1dist$1src$2thread-main.js')
    : here.replace(/pool\.js$/, 'thread-main.js');
  if (!existsSync(js))
    throw new Error(`darray: the thread entry ${js} is missing; run 'npm run build' first`);
  return js;
}

/**
 * The node options a thread starts with: by default this process's (Node then leaves out those a
 * Worker cannot take, such as --expose-gc). A script run as `node --input-type=module -e …` would
 * pass --input-type on too, which a Worker refuses (it has no string input): that one is dropped,
 * and the list given explicitly then.
 */
function threadExecArgv(): string[] | undefined {
  const argv = process.execArgv;
  if (!argv.some((a) => a === '--input-type' || a.startsWith('--input-type='))) return undefined;
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] as string;
    if (a === '--input-type') k++;
    else if (!a.startsWith('--input-type=')) out.push(a);
  }
  return out;
}

function settleAll(t: PoolThread, why: string): void {
  const error = capture(new Error(why));
  for (const done of t.pending.values()) done({ ok: false, error });
  t.pending.clear();
}

function start(tid: number): PoolThread {
  const worker = new Worker(threadScript(), { workerData: { tid }, execArgv: threadExecArgv() });
  const t: PoolThread = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', (m: ChunkReply) => {
    const done = t.pending.get(m.id);
    t.pending.delete(m.id);
    if (t.pending.size === 0) worker.unref();
    done?.(m.result);
  });
  // A thread that dies (process.exit in the body, an uncaught error in a callback it left behind)
  // fails its chunk and is replaced on next use.
  worker.on('error', (err) => {
    if (threads.get(tid) === t) threads.delete(tid);
    settleAll(t, `thread ${tid} failed outside the loop body: ${err.name}: ${err.message}`);
  });
  worker.on('exit', (code) => {
    if (threads.get(tid) === t) threads.delete(tid);
    settleAll(t, `thread ${tid} exited (code ${code}) before finishing its chunk`);
  });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of threads.values()) void p.worker.terminate();
    });
  }
  return t;
}

/** Runs a chunk on pool thread `tid` (2…), starting the thread if needed. Never rejects. */
export function runOnThread(tid: number, task: Omit<ChunkTask, 'id'>): Promise<ChunkResult> {
  let t = threads.get(tid);
  if (!t) {
    t = start(tid);
    threads.set(tid, t);
  }
  const id = nextId++;
  const thread = t;
  return new Promise((resolve) => {
    thread.pending.set(id, resolve);
    // Awaited work keeps the process alive, as any pending I/O does.
    thread.worker.ref();
    thread.worker.postMessage({ ...task, id } satisfies ChunkTask);
  });
}

/** Whether a pool thread is running a chunk. */
export function poolBusy(): boolean {
  for (const t of threads.values()) if (t.pending.size > 0) return true;
  return false;
}

/** Number of pool threads alive (for tests and diagnostics). */
export function poolThreadCount(): number {
  return threads.size;
}

/** Ends every pool thread; the next threadsFor starts new ones. */
export async function stopThreads(): Promise<void> {
  const all = [...threads.values()];
  threads.clear();
  await Promise.all(all.map((t) => t.worker.terminate()));
}

// Shrinking ends the threads past the new count; growing starts the new ones on first use.
onResize((n) => {
  if (poolBusy())
    throw new Error('setThreads: a threadsFor loop is running; call it once the loop has finished');
  for (const [tid, t] of threads) {
    if (tid > n) {
      threads.delete(tid);
      void t.worker.terminate();
    }
  }
});
