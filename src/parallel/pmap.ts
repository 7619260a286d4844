/**
 * pmap: a parallel map over a worker pool, results in input order. Items go in batches; failed
 * items are retried per `retryDelays`/`retryCheck`, then given `onError`'s value or fail the map;
 * an item whose worker died is always retried on a live worker.
 */
import { SingleBar } from 'cli-progress';
import { state } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecallFetch } from '../remote/calls.js';
import {
  type CapturedError,
  capture,
  ProcessExitedException,
  RemoteException,
} from '../remote/exceptions.js';
import { registerBuiltin } from '../remote/ship.js';
import { defaultWorkerPool, WorkerPool } from './pool.js';

// biome-ignore lint/suspicious/noExplicitAny: mapped functions take any item type; types flow through generics.
type Fn = (...items: any[]) => unknown;

/**
 * What `retryCheck` is told about a failed item, to decide whether to try it again.
 *
 * @example await pmap(fetchPage, urls, { retryDelays: [100, 400], retryCheck: (s, err) => s.attempt < 3 && !/404/.test(err.message) })
 */
export interface RetryState {
  /** How many times this item has been tried. */
  attempt: number;
  /** The item's index in the input. */
  index: number;
}

/**
 * Options of `pmap`, always its last argument. `R` is the type `onError` returns in place of a
 * failed item's result.
 *
 * @example await pmap(work, items, { batchSize: 'auto', retryDelays: [100, 1000], onError: () => NaN, progress: true })
 */
export interface PmapOptions<R> {
  /** Workers to use (default: defaultWorkerPool()); or pass the pool before the collections. */
  pool?: WorkerPool;
  /**
   * false runs the mapping on this process instead, as concurrent async calls (as many at once as
   * the pool has workers), without sending anything (Julia's `distributed=false`, like asyncmap).
   * `fn` may then use variables of its enclosing scope; a failure still arrives as a
   * RemoteException (from this process), as in distributed mode. Default true.
   */
  distributed?: boolean;
  /** Items per remote call: a positive integer, or 'auto' to choose from the input size and pool. */
  batchSize?: number | 'auto';
  /** Delays in ms before each retry of a failed item; its length is the number of retries. */
  retryDelays?: Iterable<number>;
  /** Decides whether a failure is retried (default: always, while delays remain). */
  retryCheck?: (state: RetryState, err: Error) => boolean;
  /** Supplies the value of an item that failed for good; without it, pmap fails. */
  onError?: (err: Error, item: unknown, index: number) => R;
  /** Shows a progress bar on a TTY (nothing when output is not a TTY). */
  progress?: boolean;
}

const OPTION_NAMES: readonly (keyof PmapOptions<unknown>)[] = [
  'pool',
  'distributed',
  'batchSize',
  'retryDelays',
  'retryCheck',
  'onError',
  'progress',
];

/** One iterable per parameter of the mapped function. */
type Iterables<Ts extends unknown[]> = { [K in keyof Ts]: Iterable<Ts[K]> };

type Outcome = [1, unknown] | [0, number, CapturedError];

/** Runs fn over a batch on a worker, capturing each item's error separately. */
const mapBatch = registerBuiltin(
  'pmapBatch',
  async (fn: Fn, items: unknown[], spread: boolean): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    for (const x of items) {
      try {
        let v = spread ? fn(...(x as unknown[])) : fn(x);
        if (v instanceof Promise) v = await v;
        out.push([1, v]);
      } catch (err) {
        if (err instanceof RemoteException) out.push([0, err.pid, err.captured]);
        else out.push([0, state.myid, capture(err)]);
      }
    }
    return out;
  },
);

/** Julia-like automatic batch size: a few batches per worker, so the work still balances. */
export function autoBatchSize(n: number, workers: number): number {
  return Math.max(1, Math.min(1024, Math.floor(n / (4 * Math.max(1, workers)))));
}

/**
 * Maps `fn` over `items` on the workers of a pool and returns the results in input order.
 *
 * Forms (Julia's `pmap(f, [pool], c...; kwargs...)`): `pmap(fn, items, opts?)`,
 * `pmap(fn, pool, items, opts?)`, and with several collections `pmap(fn, c1, c2, ..., opts?)`,
 * which calls `fn(c1[i], c2[i], ...)` and stops at the shortest collection (zip). The options, if
 * any, come last and must be a plain object (`{ ... }`); every other argument after `fn` (and the
 * pool) is a collection: any iterable.
 *
 * @example const squares = await pmap((x: number) => x * x, [1, 2, 3]) // [1, 4, 9]
 * @example const sums = await pmap((a: number, b: number) => a + b, [1, 2], [10, 20]) // [11, 22]
 * @example const here = await pmap((x: number) => x + offset, xs, { distributed: false })
 */
export function pmap<T, R, E = never>(
  fn: (item: T) => R | Promise<R>,
  items: Iterable<T>,
  opts?: PmapOptions<E>,
): Promise<(Awaited<R> | E)[]>;
/** `pmap(fn, pool, items, opts?)`: over one collection, on the given pool. */
export function pmap<T, R, E = never>(
  fn: (item: T) => R | Promise<R>,
  pool: WorkerPool,
  items: Iterable<T>,
  opts?: PmapOptions<E>,
): Promise<(Awaited<R> | E)[]>;
/** `pmap(fn, c1, c2, ..., opts?)`: `fn(c1[i], c2[i], ...)` up to the shortest collection. */
export function pmap<Ts extends [unknown, unknown, ...unknown[]], R, E = never>(
  fn: (...args: Ts) => R | Promise<R>,
  ...collections: [...Iterables<Ts>] | [...Iterables<Ts>, PmapOptions<E>]
): Promise<(Awaited<R> | E)[]>;
/** `pmap(fn, pool, c1, c2, ..., opts?)`: several collections zipped, on the given pool. */
export function pmap<Ts extends [unknown, unknown, ...unknown[]], R, E = never>(
  fn: (...args: Ts) => R | Promise<R>,
  pool: WorkerPool,
  ...collections: [...Iterables<Ts>] | [...Iterables<Ts>, PmapOptions<E>]
): Promise<(Awaited<R> | E)[]>;
// Implementation: the arguments are sorted out at run time (pool? collections, options?), since the overloads only type them.
export async function pmap(fn: Fn, ...rest: unknown[]): Promise<unknown[]> {
  if (typeof fn !== 'function')
    throw new ArgumentError(`pmap: expected a function first, got ${describe(fn)}`);
  const { pool: given, collections, opts } = splitArguments(rest);
  return mapOver(fn, given, collections, opts);
}

const isIterable = (x: unknown): x is Iterable<unknown> =>
  x !== null && x !== undefined && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function';

/** A `{ ... }` literal (or Object.create(null)): the only thing read as options. */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || isIterable(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Tells the optional pool, the collections and the trailing options apart. */
function splitArguments(rest: unknown[]): {
  pool: WorkerPool | undefined;
  collections: Iterable<unknown>[];
  opts: PmapOptions<unknown>;
} {
  const args = [...rest];
  const pool = args[0] instanceof WorkerPool ? (args.shift() as WorkerPool) : undefined;
  const opts = isPlainObject(args[args.length - 1]) ? (args.pop() as PmapOptions<unknown>) : {};
  for (const k of Object.keys(opts)) {
    if (!(OPTION_NAMES as readonly string[]).includes(k)) {
      throw new ArgumentError(`pmap: unknown option '${k}'; the options are ${OPTION_NAMES.join(', ')}`);
    }
  }
  if (pool && opts.pool !== undefined) {
    throw new ArgumentError(
      'pmap: a pool was given both before the collections and as the pool option; pass one',
    );
  }
  if (args.length === 0) {
    throw new ArgumentError(
      'pmap: expected at least one collection to map over after the function, e.g. pmap(f, [1, 2, 3])',
    );
  }
  args.forEach((c, k) => {
    if (!isIterable(c)) {
      throw new ArgumentError(
        `pmap: expected an iterable of items (an array, a Set, a generator…) as collection ${k + 1}, got ${describe(c)}; e.g. pmap(f, [1, 2, 3])`,
      );
    }
  });
  return { pool: pool ?? opts.pool, collections: args as Iterable<unknown>[], opts };
}

/** The items of one collection, or the tuples of several taken in step (stopping at the shortest). */
function zipped(collections: Iterable<unknown>[]): unknown[] {
  if (collections.length === 1) return Array.from(collections[0] as Iterable<unknown>);
  const lists = collections.map((c) => Array.from(c));
  const n = Math.min(...lists.map((l) => l.length));
  return Array.from({ length: n }, (_, i) => lists.map((l) => l[i]));
}

async function mapOver(
  fn: Fn,
  given: WorkerPool | undefined,
  collections: Iterable<unknown>[],
  opts: PmapOptions<unknown>,
): Promise<unknown[]> {
  if (given !== undefined && !(given instanceof WorkerPool)) {
    throw new ArgumentError(`pmap: pool must be a WorkerPool, got ${describe(given)}`);
  }
  if (opts.distributed !== undefined && typeof opts.distributed !== 'boolean') {
    throw new ArgumentError(`pmap: distributed must be true or false, got ${describe(opts.distributed)}`);
  }
  const distributed = opts.distributed ?? true;
  const spread = collections.length > 1;
  const pool = given ?? defaultWorkerPool();
  const list = zipped(collections);
  const n = list.length;
  const requested = opts.batchSize ?? 1;
  if (requested !== 'auto' && !(Number.isInteger(requested) && requested >= 1)) {
    throw new ArgumentError(
      `pmap: batchSize must be a positive integer or 'auto', got ${describe(requested)}`,
    );
  }
  // Julia sends no batches when it does not distribute: each item is one local task.
  const bs = !distributed ? 1 : requested === 'auto' ? autoBatchSize(n, pool.length) : requested;
  const delays = Array.from(opts.retryDelays ?? []);
  if (!delays.every((d) => typeof d === 'number' && d >= 0)) {
    throw new ArgumentError(
      `pmap: retryDelays must be non-negative numbers (milliseconds), got ${describe(opts.retryDelays)}`,
    );
  }
  for (const [name, f] of [
    ['retryCheck', opts.retryCheck],
    ['onError', opts.onError],
  ] as const) {
    if (f !== undefined && typeof f !== 'function')
      throw new ArgumentError(`pmap: ${name} must be a function, got ${describe(f)}`);
  }
  const results = new Array<unknown>(n);
  const attempts = new Array<number>(n).fill(0);
  const queue: number[][] = [];
  for (let i = 0; i < n; i += bs) queue.push(Array.from({ length: Math.min(bs, n - i) }, (_, k) => i + k));
  let remaining = n;
  let failure: Error | undefined;
  let retrying = 0;
  const bar =
    opts.progress && process.stderr.isTTY
      ? new SingleBar({ format: 'pmap [{bar}] {value}/{total} items, {eta}s left' })
      : undefined;
  bar?.start(n, 0);

  const finish = (i: number, value: unknown) => {
    results[i] = value;
    remaining--;
    bar?.increment();
  };

  const failed = (i: number, err: Error) => {
    const attempt = ++attempts[i]!;
    const retry = attempt <= delays.length && (opts.retryCheck?.({ attempt, index: i }, err) ?? true);
    if (retry) {
      retrying++;
      setTimeout(
        () => {
          retrying--;
          queue.push([i]);
          kick();
        },
        delays[attempt - 1],
      );
      return;
    }
    if (opts.onError) {
      try {
        finish(i, opts.onError(err, list[i], i));
      } catch (e) {
        failure ??= e as Error;
      }
    } else failure ??= err;
  };

  const runRemote = async (idx: number[]) => {
    let outcomes: Outcome[];
    try {
      outcomes = await pool.withWorker((pid) =>
        remotecallFetch(
          mapBatch,
          pid,
          fn,
          idx.map((i) => list[i]),
          spread,
        ),
      );
    } catch (err) {
      if (err instanceof ProcessExitedException) {
        // The worker died with these items: they go back in the queue for a live worker.
        queue.push(idx);
        return;
      }
      for (const i of idx) failed(i, err as Error);
      return;
    }
    for (const [k, o] of outcomes.entries()) {
      const i = idx[k] as number;
      if (o[0] === 1) finish(i, o[1]);
      else failed(i, new RemoteException(o[1], o[2]));
    }
  };

  // Local failures take the same form as remote ones (a RemoteException, here from this process),
  // so that onError, retryCheck and callers work unchanged with distributed: false.
  const runLocal = async (idx: number[]) => {
    for (const i of idx) {
      try {
        const x = list[i];
        let v = spread ? fn(...(x as unknown[])) : fn(x);
        if (v instanceof Promise) v = await v;
        finish(i, v);
      } catch (err) {
        failed(i, err instanceof RemoteException ? err : new RemoteException(state.myid, capture(err)));
      }
    }
  };
  const runBatch = distributed ? runRemote : runLocal;

  // One runner per pool worker keeps every worker busy (locally: as many tasks as the pool has
  // workers, as Julia's asyncmap with ntasks = nworkers(pool)); retries re-wake them via kick().
  let wake: (() => void) | undefined;
  const kick = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const runner = async () => {
    while (!failure && (remaining > 0 || retrying > 0)) {
      const idx = queue.shift();
      if (!idx) {
        if (retrying === 0 && queue.length === 0 && inflight === 0) break;
        await new Promise<void>((r) => {
          const prev = wake;
          wake = () => {
            prev?.();
            r();
          };
        });
        continue;
      }
      inflight++;
      try {
        await runBatch(idx);
      } finally {
        inflight--;
        kick();
      }
    }
  };
  let inflight = 0;
  try {
    await Promise.all(Array.from({ length: Math.max(1, pool.length) }, runner));
  } finally {
    bar?.stop();
  }
  if (failure) throw failure;
  if (remaining > 0) throw new Error(`pmap: ${remaining} items were not processed (no live workers left?)`);
  return results;
}
