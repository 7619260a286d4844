/**
 * An owner's part of a matvec whose matrix is split by columns only, with the vector split like
 * those columns: each owner multiplies its columns by its own piece of the vector, which needs
 * nothing from anyone, into a partial sum over all rows; the rows another owner keeps are computed
 * first and sent to it at once, so they travel while the owner streams its own rows, and the
 * product ends by adding what the others sent (a reduce-scatter). Unlike the row-block product, no
 * owner waits on a peer before it can stream whole rows.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { empty } from '../src/array/create.js';
import { NDArray } from '../src/array/ndarray.js';
import type { OpKernels } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { state } from '../src/cluster/state.js';
import { receiveFrom, sendTo } from './collectives.js';

// The CPU backend's kernel, looked up in the registry: darray/ does not import kernels/.
const matvecBlock: OpKernels['matvecBlock'] = (a, x, y, block) =>
  getKernel('matvecBlock', 'cpu')(a, x, y, block);

/** Computes rows [r0, r1) of this owner's partial product. */
export type PartialRows = (rows: [number, number]) => NDArray;

/** What an owner sends each peer: that peer's rows of its partial product, or why it has none. */
type Part = NDArray | { error: string };

/** The partial rows of `left`·`own` over a whole CPU chunk, one matvec call per range. */
export function cpuPartialRows(left: NDArray, own: NDArray): PartialRows {
  const y = empty([left.shape[0] ?? 0], left.dtype);
  return ([r0, r1]) => {
    matvecBlock(left, own, y, { start: 0, accumulate: false, rows: [r0, r1] });
    return y.rows(r0, r1);
  };
}

/**
 * This owner's rows of the product: `partial` gives rows of this owner's partial sum, `group` lists
 * the owners in chunk order and `cuts` the rows each keeps. Sends each peer its rows under `tag` as
 * soon as they are computed (the next owner's first), then adds the peers' parts to its own rows.
 * A failure is sent as `{ error }` to every peer not yet served, so no owner waits for a part.
 */
export async function mulByColumns(
  partial: PartialRows | Error,
  group: readonly number[],
  cuts: readonly number[],
  tag: string,
): Promise<NDArray> {
  const me = group.indexOf(state.myid);
  const range = (c: number): [number, number] => [cuts[c] as number, cuts[c + 1] as number];
  const others: number[] = [];
  for (let step = 1; step < group.length; step++) others.push(group[(me + step) % group.length] as number);
  const pending = new Set(others);
  const fail = (err: Error): never => {
    for (const p of pending) sendTo(p, tag, { error: `${err.name}: ${err.message}` } satisfies Part);
    throw err;
  };
  // Listening first, even when failing: every peer sends one part, and the slot it fills is
  // emptied only once they are all in.
  const parts = receiveFrom(tag, others);
  // Also a handler for a peer that dies meanwhile, until the await below reports it.
  parts.catch(() => {});
  if (partial instanceof Error) return fail(partial);
  let mine: NDArray;
  try {
    for (const p of others) {
      sendTo(p, tag, partial(range(group.indexOf(p))));
      pending.delete(p);
    }
    mine = partial(range(me));
  } catch (err) {
    return fail(err as Error);
  }
  // Replies that became ready while the rows streamed (a norm this process roots) go out now.
  await yieldToEventLoop();
  const got = await parts;
  const out = empty([mine.size], mine.dtype);
  const sum = out.data as { [i: number]: number };
  out.data.set(mine.data as never);
  for (const p of others) {
    const part = got.get(p) as Part;
    if (!(part instanceof NDArray)) throw new Error(part.error);
    const d = part.data;
    for (let i = 0; i < d.length; i++) sum[i] = (sum[i] as number) + (d[i] as number);
  }
  return out;
}
