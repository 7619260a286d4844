/**
 * The column-block matvec: the matrix is split by columns only, with the vector split like those
 * columns (or held on the host). Each owner multiplies its columns by its own piece of the vector,
 * which needs nothing from anyone, into a partial sum over all rows; the rows another owner keeps
 * are computed first and sent to it at once, so they travel while the owner streams its own rows,
 * and the product ends by adding what the others sent (a reduce-scatter). Unlike the row-block
 * product, no owner waits on a peer before it can stream whole rows. Both halves live here; the
 * partial rows come from the chunk backend's `matvecBlock` where it has one (the CPU), else from
 * one `mul` over the whole chunk.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { empty } from '../../src/array/create.js';
import { matvecBlock } from '../../src/array/matvec-block.js';
import { NDArray } from '../../src/array/ndarray.js';
import { collect, mul } from '../../src/array/ops.js';
import type { OutSpec } from '../../src/array/protocol.js';
import { state } from '../../src/cluster/state.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { registerBuiltin } from '../../src/remote/ship.js';
import { onBackend, onChunkBackend, upload } from '../chunk-backend.js';
import { receiveFrom, sendTo } from '../collectives.js';
import { DArray } from '../darray.js';
import { type Box, chunkBox, type Layout } from '../layout.js';
import { opTag } from '../operands.js';
import { fetchBox } from '../read.js';
import { newDArrayId, putChunk } from '../store.js';
import { canMulByBlocks } from './rows.js';

/** Computes rows [r0, r1) of this owner's partial product, on the host. */
type PartialRows = (rows: [number, number]) => Promise<NDArray>;

/** What an owner sends each peer: that peer's rows of its partial product, or why it has none. */
type Part = NDArray | { error: string };

/** The caller half: sends each owner its command of a column-block product (run by mulColsHere). */
export function sendColumnProducts(A: DArray, b: DArray | NDArray, layout: Layout, out: OutSpec): DArray {
  const id = newDArrayId();
  const tag = opTag('mul');
  const cuts = layout.cuts[0] as number[];
  layout.pids.forEach((p, c) => {
    // A host vector: each owner gets only the slice its columns multiply.
    const [lo, hi] = chunkBox(A.layout, c)[1] as [number, number];
    const piece = b instanceof DArray ? b : b.rows(lo, hi);
    remoteDoQueued(
      mulColsHere,
      p,
      id,
      chunkBox(layout, c),
      tag,
      [...layout.pids],
      cuts,
      A,
      piece,
      A.chunkBackend,
      out.alpha ?? 1,
    );
  });
  return new DArray(id, out.dtype, layout, A.chunkBackend);
}

/**
 * The owner half: this owner's rows of alpha·a·b, where `b` is a DArray split like a's columns or
 * this owner's slice of a host vector. `cuts` are the rows each owner of the result keeps, in the
 * order of `group`.
 */
export const mulColsHere = registerBuiltin(
  'darrayMulCols',
  (
    outId: string,
    outBox: Box,
    tag: string,
    group: number[],
    cuts: number[],
    a: DArray,
    b: DArray | NDArray,
    backend: string,
    alpha = 1,
  ): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const me = a.pids.indexOf(state.myid);
        const partial = await partialRows(a, b, me, backend).catch((err: Error) => err);
        // Commands that arrived earlier, such as the norm of the vector in powerMethod, send
        // their replies first, so that the caller waiting for them is not held up by this product.
        await yieldToEventLoop();
        return upload(await mulByColumns(partial, group, cuts, tag, alpha), backend);
      }),
    );
  },
);

/** This owner's partial product: its columns of `a` times its piece of `b`, by ranges of rows. */
async function partialRows(
  a: DArray,
  b: DArray | NDArray,
  me: number,
  backend: string,
): Promise<PartialRows> {
  const left = await onChunkBackend(await fetchBox(a, a.indices[me] as Box), backend);
  const own = await onChunkBackend(
    b instanceof NDArray ? b : await fetchBox(b, b.indices[me] as Box),
    backend,
  );
  if (canMulByBlocks(left.dtype, own.dtype, backend)) {
    // One matvecBlock call per range, into one result vector.
    const y = await upload(empty([left.shape[0] ?? 0], left.dtype), backend);
    return async ([r0, r1]) => {
      await matvecBlock(left, own, y, { start: 0, accumulate: false, rows: [r0, r1] });
      return (await collect(y)).rows(r0, r1);
    };
  }
  const whole = await collect(await mul(left, own));
  return async ([r0, r1]) => whole.rows(r0, r1);
}

/**
 * This owner's rows of the product: `partial` gives rows of this owner's partial sum, `group` lists
 * the owners in chunk order and `cuts` the rows each keeps. Sends each peer its rows under `tag` as
 * soon as they are computed (the next owner's first), then adds the peers' parts to its own rows
 * and scales the sum by alpha. A failure is sent as `{ error }` to every peer not yet served, so no
 * owner waits for a part.
 */
async function mulByColumns(
  partial: PartialRows | Error,
  group: readonly number[],
  cuts: readonly number[],
  tag: string,
  alpha: number,
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
      sendTo(p, tag, await partial(range(group.indexOf(p))));
      pending.delete(p);
    }
    mine = await partial(range(me));
  } catch (err) {
    return fail(err as Error);
  }
  // Replies that became ready while the rows streamed (a norm's partial for the caller) go out now.
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
  // The reduce-scatter's sum scaled in the same host pass (m / P elements, cheap next to the product).
  if (alpha !== 1) for (let i = 0; i < out.size; i++) sum[i] = (sum[i] as number) * alpha;
  return out;
}
