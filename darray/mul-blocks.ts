/**
 * An owner's part of a row-block matvec whose vector is split like the rows, on CPU chunks. The
 * owner works on the columns that match its own piece of the vector while the peers' pieces are on
 * their way, a few rows at a time, looking for them in between; once they are in, it adds the other
 * columns for the rows done so far and runs the remaining rows in one pass over whole rows (which
 * streams faster than rows split into blocks). Replies waiting on this process (a reduction it
 * roots, its caller waiting) go out between those steps instead of after the product.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { empty } from '../src/array/create.js';
import { NDArray } from '../src/array/ndarray.js';
import type { OpKernels } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { state } from '../src/cluster/state.js';
import { receiveFrom, sendTo } from './collectives.js';
import type { DArray } from './darray.js';
import type { Box } from './layout.js';

// The CPU backend's kernel, looked up in the registry: darray/ does not import kernels/.
const matvecBlock: OpKernels['matvecBlock'] = (a, x, y, block) =>
  getKernel('matvecBlock', 'cpu')(a, x, y, block);

/** What an owner sends its peers: its piece of the vector, or why it has none. */
export type Piece = NDArray | { error: string };

/** Bytes of the matrix in one step on the owner's own columns: about a quarter of a millisecond. */
const STEP_BYTES = 4 << 20;

/** Whether {@link mulByBlocks} can run this product: CPU chunks of one float type. */
export function canMulByBlocks(left: unknown, own: Piece, backend: string): left is NDArray {
  return (
    backend === 'cpu' &&
    left instanceof NDArray &&
    (left.dtype === 'float64' || left.dtype === 'float32') &&
    (!(own instanceof NDArray) || own.dtype === left.dtype)
  );
}

/**
 * y = left·b for this owner's rows, where `own` is this process's piece of the vector `b`. Sends
 * `own` to the other owners of `b` under `tag` and reads theirs under the same tag; a failure on
 * any owner (sent as `{ error }`) fails the product on every owner.
 */
export async function mulByBlocks(left: NDArray, own: Piece, b: DArray, tag: string): Promise<NDArray> {
  const others = b.pids.filter((p) => p !== state.myid);
  for (const p of others) sendTo(p, tag, own);
  let arrived = false;
  const pieces = receiveFrom(tag, others);
  // Also a handler for a peer that dies meanwhile, until the await below reports it.
  const land = () => {
    arrived = true;
  };
  pieces.then(land, land);
  const [m = 0, k = 0] = left.shape;
  const y = empty([m], left.dtype);
  const start = (owner: number): number => (b.indices[b.pids.indexOf(owner)] as Box)[0]?.[0] ?? 0;
  let done = 0;
  if (own instanceof NDArray && own.size > 0) {
    const step = Math.max(4, Math.floor(STEP_BYTES / (own.size * left.data.BYTES_PER_ELEMENT) / 4) * 4);
    const first = start(state.myid);
    while (!arrived && done < m) {
      const end = Math.min(m, done + step);
      matvecBlock(left, own, y, { start: first, accumulate: false, rows: [done, end] });
      done = end;
      // Reads what has come in: the peers' pieces, and messages a waiting reply depends on.
      await yieldToEventLoop();
    }
  }
  const got = await pieces;
  const failed = [own, ...got.values()].find((p): p is { error: string } => !(p instanceof NDArray));
  if (failed) throw new Error(failed.error);
  // A reply that became ready with these pieces goes out before the next pass holds this thread.
  await yieldToEventLoop();
  if (done > 0)
    for (const p of others)
      matvecBlock(left, got.get(p) as NDArray, y, { start: start(p), accumulate: true, rows: [0, done] });
  if (done < m) {
    const x = empty([k], left.dtype);
    for (const p of b.pids)
      x.data.set(((p === state.myid ? own : got.get(p)) as NDArray).data as never, start(p));
    matvecBlock(left, x, y, { start: 0, accumulate: false, rows: [done, m] });
  }
  return y;
}
