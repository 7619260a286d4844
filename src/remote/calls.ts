/**
 * Remote calls: remotecall (→ Future), remotecallFetch, remotecallWait, remoteDo and the
 * spawn/fetch shorthands. A call to this process runs here without copying its arguments, in the
 * same scope a worker would give the function; a call elsewhere works on copies.
 *
 * The function may be: a function written in the caller's code (sent as source; it may use its
 * parameters, JS globals, the darray API and everywhere() exports, but not variables it captures);
 * an export of a module loaded with everywhere(); a function of the darray API (`myid`); or a
 * standard global function (`Number`, `parseInt`, `Math.max`, `JSON.stringify`, …). Those last
 * three travel by name. Classes, bound functions and other native functions are refused.
 */
import { type Connection, newRequestId, piggybackOnto } from '../cluster/connection.js';
import { hold } from '../cluster/keepalive.js';
import { connectionTo } from '../cluster/mesh.js';
import { state, workers } from '../cluster/state.js';
import { type Envelope, encodeFrame } from '../cluster/wire/frame.js';
import { ArgumentError, describe } from '../errors.js';
import { capture, RemoteException } from './exceptions.js';
import { Future, newRRID } from './future.js';
import { interruptible } from './interrupts.js';
import { unwrapReply } from './ref-client.js';
import { analyse, asShipped, checkCallable } from './ship.js';
import { settle } from './store.js';

// biome-ignore lint/suspicious/noExplicitAny: shipped functions take any arguments; callers' types flow through the generics.
type Fn = (...args: any[]) => unknown;
type Result<F extends Fn> = Awaited<ReturnType<F>>;

/** A WorkerPool, as seen from here (pools import this module, so they are recognised by shape). */
export interface PoolLike {
  remotecall<F extends Fn>(fn: F, ...args: Parameters<F>): Future<Result<F>>;
  remotecallFetch<F extends Fn>(fn: F, ...args: Parameters<F>): Promise<Result<F>>;
  remotecallWait<F extends Fn>(fn: F, ...args: Parameters<F>): Promise<Future<Result<F>>>;
  remoteDo<F extends Fn>(fn: F, ...args: Parameters<F>): void;
  withWorker<R>(work: (pid: number) => Promise<R>): Promise<R>;
}

function isPool(x: unknown): x is PoolLike {
  return typeof x === 'object' && x !== null && typeof (x as PoolLike).withWorker === 'function';
}

function checkCall(fn: unknown, pid: unknown, verb: string): asserts fn is Fn {
  if (typeof fn !== 'function') {
    throw new ArgumentError(`${verb}: expected a function as the first argument, got ${describe(fn)}`);
  }
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1) {
    throw new ArgumentError(
      `${verb}: expected a process id (a positive integer, see procs()) as the second argument, got ${describe(pid)}`,
    );
  }
  checkCallable(fn as Fn, verb);
  if (pid !== state.myid) analyse(fn as Fn, contextOf(verb));
}

/** The words errors use for a call's function, made once per verb rather than once per call. */
const contexts = new Map<string, string>();
function contextOf(verb: string): string {
  let c = contexts.get(verb);
  if (c === undefined) contexts.set(verb, (c = `the function passed to ${verb}`));
  return c;
}

/** `instanceof` that cannot throw (a thrown Proxy may trap the prototype lookup). */
function isRemoteException(err: unknown): err is RemoteException {
  try {
    return err instanceof RemoteException;
  } catch {
    return false;
  }
}

/** How a call ended: its value, or the captured error and the process it was thrown on. */
export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; value: { pid: number; captured: ReturnType<typeof capture> } };

function failed(err: unknown): Outcome {
  if (isRemoteException(err)) return { ok: false, value: { pid: err.pid, captured: err.captured } };
  return { ok: false, value: { pid: state.myid, captured: capture(err) } };
}

/**
 * Runs `fn(...args)` here, turning a throw into the captured form. A function that returns a plain
 * value has its outcome at once, so its reply can go out in the same turn as the call arrived;
 * only a promise (or other thenable) is waited for.
 */
export function invoke(fn: Fn, args: unknown[]): Outcome | Promise<Outcome> {
  let out: unknown;
  try {
    out = fn(...args);
    // Reading `then` may throw (a Proxy), as it would inside `await`.
    if (!isThenable(out)) return { ok: true, value: out };
  } catch (err) {
    return failed(err);
  }
  return settleLater(out);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return (
    ((typeof x === 'object' && x !== null) || typeof x === 'function') &&
    typeof (x as { then?: unknown }).then === 'function'
  );
}

async function settleLater(out: PromiseLike<unknown>): Promise<Outcome> {
  try {
    // Only async work can be cut short by interrupt(); see interrupts.ts.
    const value = state.isWorker && out instanceof Promise ? await interruptible(out) : await out;
    return { ok: true, value };
  } catch (err) {
    return failed(err);
  }
}

/**
 * Runs a call addressed to this process. While it runs, the process is held alive as it is while
 * a call to another process is in flight: the call may wait on messages from workers (a reduction
 * whose first chunk is here), which an otherwise idle master would not wait for.
 */
async function invokeHere(fn: Fn, args: unknown[]): Promise<Outcome> {
  const release = hold();
  try {
    return await invoke(asShipped(fn), args);
  } finally {
    release();
  }
}

/** Encodes a call frame now (so a bad argument throws here) and sends it once connected. */
function sendCall(
  pid: number,
  env: Envelope,
  fn: Fn,
  args: unknown[],
  verb: string,
  expectReply: boolean,
  deferred = false,
): Promise<unknown> | undefined {
  const id = newRequestId();
  env.id = id;
  let parts: Buffer[];
  try {
    parts = encodeFrame(env, [fn, args], pid, piggybackOnto(pid));
  } catch (err) {
    throw unsendable(verb, fn, args, pid, err as Error);
  }
  const c = connectionTo(pid);
  // A reply is unwrapped as it arrives (no promise or turn of its own), see requestEncoded.
  if (!(c instanceof Promise)) {
    return expectReply ? c.requestEncoded(id, parts, unwrapReply) : c.sendEncoded(parts, deferred);
  }
  return c.then((conn: Connection) =>
    expectReply ? conn.requestEncoded(id, parts, unwrapReply) : conn.sendEncoded(parts, deferred),
  );
}

/** Finds which argument could not be encoded, so the error can name it. */
function unsendable(verb: string, fn: Fn, args: unknown[], pid: number, err: Error): Error {
  // An argument that is itself a function may fail the function checks (a class, a captured
  // variable): probe the arguments even then, so the error names the one that failed.
  for (const [i, a] of args.entries()) {
    try {
      encodeFrame({ k: 'probe' }, a, 0);
    } catch (e) {
      return new ArgumentError(
        `${verb}: argument ${i + 1} (${describe(a)}) cannot be sent to process ${pid}: ${(e as Error).message}. ` +
          'Send plain data: numbers, strings, arrays, TypedArrays, plain objects, Maps, Sets, Futures or functions',
      );
    }
  }
  if (err instanceof ArgumentError) return err;
  return new ArgumentError(
    `${verb}: the call to ${fn.name || 'an anonymous function'} cannot be sent: ${err.message}`,
  );
}

/**
 * Calls `fn(...args)` on process `pid` and returns a Future for its result at once.
 *
 * @example const f = remotecall((n) => n * 2, 2, 21); await f.fetch() // 42
 */
export function remotecall<F extends Fn>(
  fn: F,
  pid: number | PoolLike,
  ...args: Parameters<F>
): Future<Result<F>> {
  if (isPool(pid)) return pid.remotecall(fn, ...args);
  checkCall(fn, pid, 'remotecall');
  const f = new Future<Result<F>>(pid, newRRID());
  if (pid === state.myid) {
    void invokeHere(fn, args).then((r) => settle(f.rrid, r.ok, r.value));
    return f;
  }
  const sent = sendCall(pid, { k: 'call', m: 'future', rr: [f.whence, f.id] }, fn, args, 'remotecall', false);
  sent?.catch((err: Error) => f.fail(err));
  return f;
}

/**
 * Calls `fn(...args)` on process `pid` and returns its result (one round trip).
 *
 * @example await remotecallFetch(() => myid(), 2) // 2
 */
export function remotecallFetch<F extends Fn>(
  fn: F,
  pid: number | PoolLike,
  ...args: Parameters<F>
): Promise<Result<F>> {
  // Not an async function: the reply's promise is handed back as it is, one hop fewer per call.
  // Every throw still becomes a rejection.
  try {
    if (isPool(pid)) return pid.remotecallFetch(fn, ...args);
    checkCall(fn, pid, 'remotecallFetch');
    if (pid === state.myid) return fetchHere(fn, args);
    return sendCall(pid, { k: 'call', m: 'fetch' }, fn, args, 'remotecallFetch', true) as Promise<Result<F>>;
  } catch (err) {
    return Promise.reject(err);
  }
}

async function fetchHere<F extends Fn>(fn: F, args: unknown[]): Promise<Result<F>> {
  const r = await invokeHere(fn, args);
  if (r.ok) return r.value as Result<F>;
  throw new RemoteException(r.value.pid, r.value.captured);
}

/** Calls `fn(...args)` on `pid`, waits until it has finished, and returns a Future for its result. */
export async function remotecallWait<F extends Fn>(
  fn: F,
  pid: number | PoolLike,
  ...args: Parameters<F>
): Promise<Future<Result<F>>> {
  if (isPool(pid)) return pid.remotecallWait(fn, ...args);
  checkCall(fn, pid, 'remotecallWait');
  const f = pid === state.myid ? remotecall(fn, pid, ...args) : new Future<Result<F>>(pid, newRRID());
  try {
    if (pid === state.myid) await f.wait();
    else
      await sendCall(pid, { k: 'call', m: 'wait', rr: [f.whence, f.id] }, fn, args, 'remotecallWait', true);
  } catch (err) {
    // The caller never gets this Future, so its hold on the failed result goes now.
    f.finalize();
    throw err;
  }
  return f;
}

/** Runs `fn(...args)` on `pid` for its effect only: no result, no wait; errors print on that process. */
export function remoteDo<F extends Fn>(fn: F, pid: number | PoolLike, ...args: Parameters<F>): void {
  if (isPool(pid)) {
    pid.remoteDo(fn, ...args);
    return;
  }
  doCall(fn, pid, args, false);
}

/**
 * remoteDo for one of a stream of commands: its message may wait until the end of the current tick
 * to go out in one write with the others sent to `pid` meanwhile. The DArray operations use it, so
 * that a step of an algorithm costs each worker one write and one wake-up, not one per operation.
 * Only for callers that do not go on to block this thread before the tick ends.
 *
 * @example remoteDoQueued(broadcastHere, 2, id, box, lambda, operands, 'cpu')
 */
export function remoteDoQueued<F extends Fn>(fn: F, pid: number, ...args: Parameters<F>): void {
  doCall(fn, pid, args, true);
}

function doCall(fn: Fn, pid: number, args: unknown[], deferred: boolean): void {
  checkCall(fn, pid, 'remoteDo');
  if (pid === state.myid) {
    void invokeHere(fn, args).then((r) => {
      if (!r.ok)
        process.stderr.write(
          `darray: error in remoteDo on process ${state.myid}: ${r.value.captured.stack}\n`,
        );
    });
    return;
  }
  sendCall(pid, { k: 'call', m: 'do' }, fn, args, 'remoteDo', false, deferred)?.catch((err: Error) => {
    process.stderr.write(`darray: remoteDo to process ${pid} failed: ${err.message}\n`);
  });
}

/** `@spawnat p expr`: runs `fn` on `pid` and returns a Future. */
export function spawnAt<F extends Fn>(pid: number, fn: F, ...args: Parameters<F>): Future<Result<F>> {
  return remotecall(fn, pid, ...args);
}

let spawnCursor = 0;
/** Picks the next worker in turn, spreading `spawn`/`fetchAny` calls over all workers. */
export function nextWorker(): number {
  const ws = workers();
  const p = ws[spawnCursor++ % ws.length];
  return p ?? 1;
}

/** `@spawn expr`: runs `fn` on a worker chosen in turn and returns a Future. */
export function spawn<F extends Fn>(fn: F, ...args: Parameters<F>): Future<Result<F>> {
  return remotecall(fn, nextWorker(), ...args);
}

/** `@fetchfrom p expr`: runs `fn` on `pid` and returns its result. */
export function fetchFrom<F extends Fn>(pid: number, fn: F, ...args: Parameters<F>): Promise<Result<F>> {
  return remotecallFetch(fn, pid, ...args);
}

/** `@fetch expr`: runs `fn` on a worker chosen in turn and returns its result. */
export function fetchAny<F extends Fn>(fn: F, ...args: Parameters<F>): Promise<Result<F>> {
  return remotecallFetch(fn, nextWorker(), ...args);
}
