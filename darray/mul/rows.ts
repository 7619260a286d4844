/**
 * The row-block matrix product: each owner of a block of rows of the result reads those rows of the
 * matrix and the whole right-hand side, gathered straight from its peers (an allgather when the
 * vector is split like the rows), never through the master. Both halves live here.
 *
 * When the chunk backend has the `matvecBlock` kernel (the CPU's), an owner works on the columns
 * that match its own piece of the vector while the peers' pieces are on their way, a few rows at a
 * time, looking for them in between; once they are in, it adds the other columns for the rows done
 * so far and runs the remaining rows in one pass over whole rows (which streams faster than rows
 * split into blocks). Replies waiting on this process (a reduction's partial, its caller waiting) go
 * out between those steps instead of after the product. Other backends multiply with their `mul`
 * once every piece is in.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { empty, zeros } from '../../src/array/create.js';
import { bytesOf, type DType } from '../../src/array/dtype.js';
import { lambdaOf } from '../../src/array/ir/cache.js';
import { matvecBlock } from '../../src/array/matvec-block.js';
import { NDArray } from '../../src/array/ndarray.js';
import { broadcastInto, collect, mul } from '../../src/array/ops.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { hasKernel } from '../../src/array/registry.js';
import { state } from '../../src/cluster/state.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { registerBuiltin } from '../../src/remote/ship.js';
import { onBackend, onChunkBackend, upload } from '../chunk-backend.js';
import { allgather, receiveFrom, sendTo } from '../collectives.js';
import { DArray } from '../darray.js';
import { type Box, chunkBox, makeLayout, sameList } from '../layout.js';
import { opTag } from '../operands.js';
import { fetchBox } from '../read.js';
import { newDArrayId, putChunk } from '../store.js';

/** What an owner sends its peers: its piece of the vector, or why it has none. */
export type Piece = NDArray | { error: string };

/** Bytes of the matrix in one step on the owner's own columns: about a quarter of a millisecond. */
const STEP_BYTES = 4 << 20;

/** Scales a product by alpha in place (Julia's `mul!(y, A, x, α)` after the blocks are summed). */
const SCALE = lambdaOf((v: number, alpha: number) => v * alpha);

/**
 * Whether a block product can stream here: the chunk backend has a `matvecBlock` kernel, and the
 * matrix and vector piece are one float type.
 */
export function canMulByBlocks(left: DType, own: DType | undefined, backend: string): boolean {
  return (
    hasKernel('matvecBlock', backend) &&
    (left === 'float64' || left === 'float32') &&
    (own === undefined || own === left)
  );
}

/** The caller half: sends each owner of a block of rows of the result its command (mulRowsHere). */
export function sendRowProducts(A: DArray, B: DArray | NDArray, out: OutSpec): DArray {
  const rowOwners = A.pids.filter((_, c) => chunkBox(A.layout, c)[1]?.[0] === 0);
  const layout = makeLayout(
    out.shape,
    rowOwners,
    out.shape.map((_, k) => (k === 0 ? rowOwners.length : 1)),
  );
  const id = newDArrayId();
  const tag = opTag('mul');
  layout.pids.forEach((p, c) => {
    remoteDoQueued(
      mulRowsHere,
      p,
      id,
      chunkBox(layout, c),
      tag,
      [...layout.pids],
      A,
      B,
      A.chunkBackend,
      out.alpha ?? 1,
    );
  });
  return new DArray(id, out.dtype, layout, A.chunkBackend);
}

/** The owner half: this process's block of rows of a·b, scaled by alpha. */
export const mulRowsHere = registerBuiltin(
  'darrayMul',
  (
    outId: string,
    outBox: Box,
    tag: string,
    group: number[],
    a: DArray,
    b: DArray | NDArray,
    backend: string,
    alpha = 1,
  ): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const k = a.shape[1] as number;
        const rows = outBox[0] as [number, number];
        const left = await fetchBox(a, [rows, [0, k]]);
        let right: AnyArray;
        if (b instanceof NDArray) right = b;
        else if (b.ndim === 1 && sameList(b.pids, group)) {
          // The vector lives where the matrix rows do: each owner sends its piece to the others once.
          const mineBox = b.indices[b.pids.indexOf(state.myid)] as Box;
          // A failure here is still sent, so that the peers fail too instead of waiting for a piece.
          const own: Piece = await fetchBox(b, mineBox)
            .then((piece) => collect(piece))
            .catch((err: Error) => ({ error: `${err.name}: ${err.message}` }));
          // Commands that arrived earlier, such as the norm of this vector in powerMethod, send
          // their replies first, so that the caller waiting for them is not held up by this product.
          await yieldToEventLoop();
          if (canMulByBlocks(left.dtype, own instanceof NDArray ? own.dtype : undefined, backend)) {
            const y = await mulByBlocks(await onChunkBackend(left, backend), own, b, tag, backend);
            if (alpha !== 1) await broadcastInto(y, SCALE, y, alpha);
            return y;
          }
          const parts = await allgather(own, { group: b.pids, tag });
          const failed = parts.find((p): p is { error: string } => !(p instanceof NDArray));
          if (failed) throw new Error(failed.error);
          right = concatRows(parts as NDArray[], b.dtype, b.shape);
        } else
          right = await fetchBox(
            b,
            b.shape.map((n) => [0, n] as [number, number]),
          );
        const l = await onChunkBackend(left, backend);
        const r = await onChunkBackend(right, backend);
        // The product may hold this thread for milliseconds: replies that are ready (a reduction's
        // partial, whose caller is waiting) go out before it starts.
        await yieldToEventLoop();
        return mul(l, r, { alpha });
      }),
    );
  },
);

/**
 * y = left·b for this owner's rows, where `own` is this process's piece of the vector `b`, with the
 * backend's `matvecBlock`. Sends `own` to the other owners of `b` under `tag` and reads theirs under
 * the same tag; a failure on any owner (sent as `{ error }`) fails the product on every owner.
 */
async function mulByBlocks(
  left: AnyArray,
  own: Piece,
  b: DArray,
  tag: string,
  backend: string,
): Promise<AnyArray> {
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
  const y = await upload(empty([m], left.dtype), backend);
  const start = (owner: number): number => (b.indices[b.pids.indexOf(owner)] as Box)[0]?.[0] ?? 0;
  let done = 0;
  if (own instanceof NDArray && own.size > 0) {
    const x = await upload(own, backend);
    const step = Math.max(4, Math.floor(STEP_BYTES / (own.size * bytesOf(left.dtype)) / 4) * 4);
    const first = start(state.myid);
    while (!arrived && done < m) {
      const end = Math.min(m, done + step);
      await matvecBlock(left, x, y, { start: first, accumulate: false, rows: [done, end] });
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
    for (const p of others) {
      const x = await upload(got.get(p) as NDArray, backend);
      await matvecBlock(left, x, y, { start: start(p), accumulate: true, rows: [0, done] });
    }
  if (done < m) {
    const x = empty([k], left.dtype);
    for (const p of b.pids)
      x.data.set(((p === state.myid ? own : got.get(p)) as NDArray).data as never, start(p));
    await matvecBlock(left, await upload(x, backend), y, { start: 0, accumulate: false, rows: [done, m] });
  }
  return y;
}

/** The pieces of a vector, in order, as one host vector. */
function concatRows(parts: NDArray[], dtype: DType, shape: readonly number[]): NDArray {
  const out = zeros([...shape], dtype);
  let at = 0;
  for (const p of parts) {
    (out.data as Float64Array).set(p.data as Float64Array, at);
    at += p.size;
  }
  return out;
}
