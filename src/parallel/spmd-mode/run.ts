/**
 * spmd(fn, ...args, { pids, context }): runs `fn` on every process of `pids` at once and resolves
 * when all have finished (DistributedArrays.SPMD.spmd). Each run talks inside a context: a fresh
 * one made for the run and dropped at its end, or one made with `context()` and kept, with its
 * contextLocalStorage(), across runs until closed.
 */
import { procs, state } from '../../cluster/state.js';
import { ArgumentError, describe, ProcessExitedException } from '../../errors.js';
import { remotecallFetch, remoteDo } from '../../remote/calls.js';
import { CompositeException, RemoteException } from '../../remote/exceptions.js';
import { analyse, checkCallable, registerBuiltin } from '../../remote/ship.js';
import { contextState, currentRun, deleteContext, runScope } from './contexts.js';
import { abortRun, checkPid } from './messages.js';

let counter = 0;
function newId(kind: 'c' | 'r'): string {
  return `${kind}${state.myid}.${++counter}`;
}

/** The name an aborted process's error carries, so spmd can tell it from the failure that caused it. */
const ABORTED = 'SpmdAbortedError';

/** Runs one process's part of a run, inside its context; drops a run-only context at the end. */
const spmdLocal = registerBuiltin(
  'spmdLocal',
  async (
    fn: (...a: unknown[]) => unknown,
    args: unknown[],
    ctxId: string,
    run: string,
    pids: number[],
    temporary: boolean,
  ): Promise<void> => {
    const ctx = contextState(ctxId);
    if (!ctx)
      throw new ArgumentError(`spmd: context ${ctxId} has been closed; make a new one with context()`);
    ctx.pids = pids;
    try {
      await runScope.run({ ctx, run, pids }, () => fn(...args));
    } finally {
      if (temporary) deleteContext(ctxId);
    }
  },
);

/** Fails the receives of `run` on this process: another process of the run failed. */
const spmdAbort = registerBuiltin('spmdAbort', (ctxId: string, run: string, why: string): void => {
  const ctx = contextState(ctxId);
  if (!ctx) return;
  const err = new Error(why);
  err.name = ABORTED;
  abortRun(ctx, run, err);
});

const spmdDelete = registerBuiltin('spmdDeleteContext', (ctxId: string): void => deleteContext(ctxId));

/** Drops a context nobody closed on every process it may live on (a safety net; close() is the way). */
const unclosed = new FinalizationRegistry<{ id: string; pids: number[] }>(({ id, pids }) => {
  for (const p of pids)
    if (!state.gone.has(p) && (p === state.myid || state.peers.has(p))) remoteDo(spmdDelete, p, id);
});

/**
 * A context for spmd runs (DistributedArrays' SPMDContext): messages of runs in different contexts
 * never mix, and each process keeps a `contextLocalStorage()` per context across runs. Make it
 * with `context(pids)` and free it on every process with `close()`.
 */
export class SPMDContext {
  /** @internal Made by context(). */
  constructor(
    /** Identifies the context on every process. */
    readonly id: string,
    /** The processes it was made for. */
    readonly pids: readonly number[],
  ) {
    unclosed.register(this, { id, pids: [...pids] }, this);
  }

  /** Drops the context and its local storage on every process of `pids` that is still running. */
  async close(): Promise<void> {
    unclosed.unregister(this);
    const live = this.pids.filter((p) => !state.gone.has(p) && (p === state.myid || state.peers.has(p)));
    await Promise.all(
      live.map((p) =>
        remotecallFetch(spmdDelete, p, this.id).catch((err: unknown) => {
          if (!(err instanceof ProcessExitedException)) throw err;
        }),
      ),
    );
  }
}

/**
 * Makes a context for spmd runs on `pids` (default: procs()). Runs given `{ context }` share its
 * contextLocalStorage() on each process, until `close()`.
 *
 * @example const c = context(workers()); await spmd(fn, { pids: workers(), context: c }); await c.close();
 */
export function context(pids: readonly number[] = procs()): SPMDContext {
  if (!Array.isArray(pids) || pids.length === 0) {
    throw new ArgumentError(`context: expected a non-empty array of process ids, got ${describe(pids)}`);
  }
  return new SPMDContext(newId('c'), [...new Set(pids.map((p) => checkPid(p, 'context')))]);
}

/**
 * The store (a Map) that this process keeps for the spmd context the caller runs in: with a
 * context made by `context()`, what one run puts there the next run on this process finds.
 *
 * @example const store = contextLocalStorage(); store.set('sum', (store.get('sum') ?? 0) + 1);
 */
export function contextLocalStorage(): Map<unknown, unknown> {
  return currentRun('contextLocalStorage').ctx.store;
}

/** Options of spmd, given as its last argument. */
export interface SpmdOptions {
  /** The processes that run the function (default: procs()). */
  pids?: readonly number[];
  /** A context made with `context()`; by default a new one for this run only. */
  context?: SPMDContext;
}

function isOptions(x: unknown): x is SpmdOptions {
  if (typeof x !== 'object' || x === null || Object.getPrototypeOf(x) !== Object.prototype) return false;
  return Object.keys(x).every((k) => k === 'pids' || k === 'context');
}

/**
 * Runs `fn(...args)` on every process of `pids` at once (Single Program, Multiple Data) and
 * resolves when all have finished. Inside, `fn` talks to the others with sendto, recvfrom,
 * recvfromAny, barrier, bcast, scatter and gather, process to process. A last argument that is a
 * plain object with only `pids` and/or `context` keys (or `{}`) is taken as the options; to pass
 * such an object as data, end the call with `{}`. If `fn` fails on some processes, the others'
 * waiting receives fail too, and spmd rejects with a CompositeException naming each failed process.
 *
 * @example await spmd(async (n) => { const all = await gather(myid() * n, 1); if (all) console.log(all); }, 10, { pids: [1, 2, 3] })
 */
export async function spmd(fn: (...args: never[]) => unknown, ...rest: unknown[]): Promise<void> {
  if (typeof fn !== 'function') {
    throw new ArgumentError(`spmd: expected a function as the first argument, got ${describe(fn)}`);
  }
  const last = rest.at(-1);
  const opts: SpmdOptions = rest.length > 0 && isOptions(last) ? (rest.pop() as SpmdOptions) : {};
  const args = rest;
  const ctxt = opts.context;
  if (ctxt !== undefined && !(ctxt instanceof SPMDContext)) {
    throw new ArgumentError(`spmd: context must be made with context(pids), got ${describe(ctxt)}`);
  }
  const given = opts.pids ?? procs();
  if (!Array.isArray(given) || given.length === 0) {
    throw new ArgumentError(`spmd: pids must be a non-empty array of process ids, got ${describe(given)}`);
  }
  const pids = [...new Set(given.map((p) => checkPid(p, 'spmd', 'pids to hold process ids')))].sort(
    (a, b) => a - b,
  );
  checkCallable(fn, 'spmd');
  // Refuse a function that cannot run elsewhere (it captures variables) before anything starts.
  if (pids.some((p) => p !== state.myid)) analyse(fn, 'the function passed to spmd');

  const ctxId = ctxt?.id ?? newId('c');
  const run = newId('r');
  const failures: { pid: number; err: Error }[] = [];
  let aborted = false;
  await Promise.all(
    pids.map((p) =>
      remotecallFetch(spmdLocal, p, fn as (...a: unknown[]) => unknown, args, ctxId, run, pids, !ctxt).catch(
        (err: Error) => {
          failures.push({ pid: p, err });
          if (aborted) return;
          aborted = true;
          // The others may wait on a message this one will never send: fail their receives.
          const why = `spmd: process ${p} failed in this run (${err.message})`;
          for (const q of pids) {
            if (q !== p && !state.gone.has(q) && (q === state.myid || state.peers.has(q)))
              remoteDo(spmdAbort, q, ctxId, run, why);
          }
        },
      ),
    ),
  );
  if (failures.length === 0) return;
  // A run-only context may have been made by a message on a process whose part never started.
  if (!ctxt)
    for (const q of pids)
      if (!state.gone.has(q) && (q === state.myid || state.peers.has(q))) remoteDo(spmdDelete, q, ctxId);
  const causes = failures.filter(
    (f) => !(f.err instanceof RemoteException && f.err.captured.name === ABORTED),
  );
  const shown = (causes.length > 0 ? causes : failures).sort((a, b) => a.pid - b.pid);
  throw new CompositeException(
    shown.map((f) => f.err),
    `spmd on processes [${pids.join(', ')}]`,
  );
}
