/**
 * Reading any box of a DArray from inside a process: the local chunk as it is when the box is
 * exactly that chunk, otherwise the pieces gathered straight from their owners (worker to worker,
 * never through the master) and assembled on the host.
 */
import { fromHost } from '../src/array/backend.js';
import { ctorOf } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { copyBox, sliceBox } from './box.js';
import type { DArray } from './darray.js';
import { type Box, boxShape, boxSize, chunkBox, intersect } from './layout.js';
import { awaitChunkEntry, chunkEntry, hasChunk, running } from './store.js';

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

export const sliceHere = registerBuiltin(
  'darraySlice',
  // Counted as running, so a free that arrives meanwhile waits for the copy to finish.
  (id: string, box: Box): Promise<NDArray> => running(localSlice(id, box)),
);

/** Moves a host array onto `backend` ('cpu' keeps it as it is), with the backend's registered upload. */
export async function upload(nd: NDArray, backend: string): Promise<AnyArray> {
  if (backend === 'cpu') return nd;
  return fromHost(nd, backend);
}

/** The values of `box` of `d`, as the local chunk itself when it is exactly that box, else on the host. */
export async function fetchBox(d: DArray, box: Box): Promise<AnyArray> {
  const mine = d.pids.indexOf(state.myid);
  if (mine >= 0 && hasChunk(d.id) && sameBox(chunkBox(d.layout, mine), box)) return chunkEntry(d.id).array;
  const out = new NDArray(new (ctorOf(d.dtype))(boxSize(box)), boxShape(box));
  const pieces = d.pids.map(async (owner, c) => {
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
