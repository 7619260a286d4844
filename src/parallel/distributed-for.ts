/**
 * distributedFor: Julia's `@distributed` loop. The range is cut into one contiguous chunk per
 * worker; each worker runs the body over its chunk and, with a reducer, folds the values there,
 * so only one partial per worker comes back to be combined on the caller.
 */
import { workers } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecall, remotecallFetch } from '../remote/calls.js';
import type { Future } from '../remote/future.js';
import { registerBuiltin } from '../remote/ship.js';
import { checkLoopRange, splitLoopRange } from './ranges.js';

type Body<V> = (i: number) => V | Promise<V>;
type Reducer<V> = (a: V, b: V) => V;

/** Runs body over [lo, hi) here; with a reducer returns [1, folded] (or [0] for an empty chunk). */
const runChunk = registerBuiltin(
  'distributedForChunk',
  async (
    body: Body<unknown>,
    reducer: Reducer<unknown> | null,
    lo: number,
    hi: number,
  ): Promise<[0] | [1, unknown]> => {
    if (hi <= lo) return [0];
    let acc = body(lo);
    if (acc instanceof Promise) acc = await acc;
    for (let i = lo + 1; i < hi; i++) {
      let v = body(i);
      if (v instanceof Promise) v = await v;
      if (reducer) acc = reducer(acc, v);
    }
    return reducer ? [1, acc] : [0];
  },
);

/**
 * Runs `body(i)` for every i in [start, end) across the workers.
 * With a reducer, returns the reduction of all values; without, returns a Future per worker at once.
 *
 * @example const heads = await distributedFor([0, 1e6], () => Number(Math.random() < 0.5), (a, b) => a + b)
 */
export function distributedFor<V>(range: [number, number], body: Body<V>, reducer: Reducer<V>): Promise<V>;
export function distributedFor(range: [number, number], body: Body<unknown>): Future<[0]>[];
export function distributedFor<V>(
  range: [number, number],
  body: Body<V>,
  reducer?: Reducer<V>,
): Promise<V> | Future<[0]>[] {
  const [start, end] = checkLoopRange(range, 'distributedFor', 'distributedFor([0, 100], (i) => i)');
  if (typeof body !== 'function')
    throw new ArgumentError(`distributedFor: the body must be a function, got ${describe(body)}`);
  if (reducer !== undefined && typeof reducer !== 'function') {
    throw new ArgumentError(
      `distributedFor: the reducer must be a function such as (a, b) => a + b, got ${describe(reducer)}`,
    );
  }
  const ws = workers();
  const parts = splitLoopRange(start, end, ws.length);
  if (!reducer) {
    return parts.map(
      ([lo, hi], k) =>
        remotecall(runChunk, ws[k] as number, body as Body<unknown>, null, lo, hi) as Future<[0]>,
    );
  }
  if (start === end) {
    return Promise.reject(
      new ArgumentError('distributedFor: cannot reduce over an empty range (there is no first value)'),
    );
  }
  return (async () => {
    const partials = await Promise.all(
      parts.map(([lo, hi], k) =>
        remotecallFetch(
          runChunk,
          ws[k] as number,
          body as Body<unknown>,
          reducer as Reducer<unknown>,
          lo,
          hi,
        ),
      ),
    );
    let acc: V | undefined;
    let have = false;
    for (const p of partials) {
      if (p[0] === 0) continue;
      acc = have ? reducer(acc as V, p[1] as V) : (p[1] as V);
      have = true;
    }
    return acc as V;
  })();
}
