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
import { defaultWorkerPool, type WorkerPool } from './pool.js';

// biome-ignore lint/suspicious/noExplicitAny: mapped functions take any item type; types flow through generics.
type Fn = (item: any) => unknown;

export interface RetryState {
  /** How many times this item has been tried. */
  attempt: number;
  /** The item's index in the input. */
  index: number;
}

export interface PmapOptions<R> {
  /** Workers to use (default: defaultWorkerPool()). */
  pool?: WorkerPool;
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

type Outcome = [1, unknown] | [0, number, CapturedError];

/** Runs fn over a batch on a worker, capturing each item's error separately. */
const mapBatch = registerBuiltin('pmapBatch', async (fn: Fn, items: unknown[]): Promise<Outcome[]> => {
  const out: Outcome[] = [];
  for (const x of items) {
    try {
      let v = fn(x);
      if (v instanceof Promise) v = await v;
      out.push([1, v]);
    } catch (err) {
      if (err instanceof RemoteException) out.push([0, err.pid, err.captured]);
      else out.push([0, state.myid, capture(err)]);
    }
  }
  return out;
});

/** Julia-like automatic batch size: a few batches per worker, so the work still balances. */
export function autoBatchSize(n: number, workers: number): number {
  return Math.max(1, Math.min(1024, Math.floor(n / (4 * Math.max(1, workers)))));
}

/**
 * Maps `fn` over `items` on the workers of a pool and returns the results in input order.
 *
 * @example const squares = await pmap((x: number) => x * x, [1, 2, 3]) // [1, 4, 9]
 */
export async function pmap<T, R, E = never>(
  fn: (item: T) => R | Promise<R>,
  items: Iterable<T>,
  opts: PmapOptions<E> = {},
): Promise<(Awaited<R> | E)[]> {
  if (typeof fn !== 'function')
    throw new ArgumentError(`pmap: expected a function first, got ${describe(fn)}`);
  if (
    items === null ||
    items === undefined ||
    typeof (items as Iterable<T>)[Symbol.iterator] !== 'function'
  ) {
    throw new ArgumentError(
      `pmap: expected an iterable of items (an array, a Set, a generator…), got ${describe(items)}; e.g. pmap(f, [1, 2, 3])`,
    );
  }
  const pool = opts.pool ?? defaultWorkerPool();
  const list = Array.from(items);
  const n = list.length;
  const requested = opts.batchSize ?? 1;
  if (requested !== 'auto' && !(Number.isInteger(requested) && requested >= 1)) {
    throw new ArgumentError(
      `pmap: batchSize must be a positive integer or 'auto', got ${describe(requested)}`,
    );
  }
  const bs = requested === 'auto' ? autoBatchSize(n, pool.length) : requested;
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
  const results = new Array<Awaited<R> | E>(n);
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

  const finish = (i: number, value: Awaited<R> | E) => {
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

  const runBatch = async (idx: number[]) => {
    let outcomes: Outcome[];
    try {
      outcomes = await pool.withWorker((pid) =>
        remotecallFetch(
          mapBatch,
          pid,
          fn as Fn,
          idx.map((i) => list[i]),
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
      if (o[0] === 1) finish(i, o[1] as Awaited<R>);
      else failed(i, new RemoteException(o[1], o[2]));
    }
  };

  // One runner per pool worker keeps every worker busy; retries re-wake them via kick().
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
