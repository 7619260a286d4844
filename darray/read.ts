/**
 * Reading any region of a DArray from inside a process: the local chunk as it is when the region is
 * exactly that chunk, otherwise the pieces gathered straight from their owners (worker to worker,
 * never through the master) and assembled on the host. Both halves live here: `fetchBox` asks,
 * `sliceHere` answers on each owner.
 */
import { ctorOf, type DType } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { copyBox, sliceBox } from './host-copy.js';
import { type Box, boxShape, boxSize, chunkBox, intersect, type Layout } from './layout.js';
import { awaitChunkEntry, chunkEntry, hasChunk, running } from './store.js';

/** What reading a region needs to know of a DArray (so that this file need not import the class). */
export interface ChunkedArray {
  readonly id: string;
  readonly dtype: DType;
  readonly layout: Layout;
}

const sameBox = (a: Box, b: Box) =>
  a.length === b.length && a.every(([lo, hi], k) => lo === b[k]?.[0] && hi === b[k]?.[1]);
const relative = (box: Box, origin: Box): Box =>
  box.map(([lo, hi], k) => [lo - (origin[k]?.[0] ?? 0), hi - (origin[k]?.[0] ?? 0)]);

/** A host copy of `box` (global indices) of this process's chunk of DArray `id`. */
export async function localSlice(id: string, box: Box): Promise<NDArray> {
  const e = await awaitChunkEntry(id);
  const chunk = await e.array;
  const host = chunk instanceof NDArray ? chunk : await collect(chunk);
  return sliceBox(host, relative(box, e.box));
}

/** The owner half: a host copy of `box` of this process's chunk of DArray `id`. */
export const sliceHere = registerBuiltin(
  'darraySlice',
  // Counted as running, so a free that arrives meanwhile waits for the copy to finish.
  (id: string, box: Box): Promise<NDArray> => running(localSlice(id, box)),
);

/** The values of `box` of `d`, as the local chunk itself when it is exactly that box, else on the host. */
export async function fetchBox(d: ChunkedArray, box: Box): Promise<AnyArray> {
  const { pids } = d.layout;
  const mine = pids.indexOf(state.myid);
  if (mine >= 0 && hasChunk(d.id) && sameBox(chunkBox(d.layout, mine), box)) return chunkEntry(d.id).array;
  const out = new NDArray(new (ctorOf(d.dtype))(boxSize(box)), boxShape(box));
  const pieces = pids.map(async (owner, c) => {
    const part = intersect(chunkBox(d.layout, c), box);
    if (!part) return;
    const piece =
      owner === state.myid
        ? await localSlice(d.id, part)
        : await remotecallFetch(sliceHere, owner, d.id, part);
    copyBox(
      piece,
      boxShape(part).map((n) => [0, n] as [number, number]),
      out,
      part.map(([lo], k) => lo - (box[k]?.[0] ?? 0)),
    );
  });
  await Promise.all(pieces);
  return out;
}
