/**
 * The DArray half of the shape ops whose result axis k reads one source axis through a coordinate
 * map (permutedims, circshift, repeat, cat, and the redistribution mapslices needs). Each owner of
 * a result chunk works out which source indices its box needs, fetches only those boxes straight
 * from their owners (read.ts, worker to worker), and assembles its chunk on the host before moving
 * it onto the chunk backend (GPU chunks are assembled on their worker's host, then uploaded).
 */
import { ctorOf, type DType } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import { remotecallFetch, remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { copyBox } from './host-copy.js';
import { type Box, boxShape, boxSize, chunkBox, type Layout } from './layout.js';
import { type ChunkedArray, fetchBox } from './read.js';
import { awaitChunkEntry, newDArrayId, putChunk } from './store.js';

/** Source coordinate of result coordinate o along one axis: (⌊o / div⌋ + shift) mod mod. */
export interface AxisMap {
  /** The source axis this result axis reads; -1 for an axis the source lacks (it has extent 1 there). */
  readonly axis: number;
  readonly div: number;
  /** In [0, mod). */
  readonly shift: number;
  readonly mod: number;
}

/** One source feeding a region of the result (cat has several, each over its own slab). */
export interface GatherPiece {
  readonly src: ChunkedArray;
  /** The region of the result (global indices) this source fills. */
  readonly region: Box;
  /** One map per result axis. */
  readonly maps: readonly AxisMap[];
}

const coord = (m: AxisMap, o: number) => (Math.floor(o / m.div) + m.shift) % m.mod;

/** Consecutive runs [lo, hi) of a sorted list of distinct integers. */
function runs(sorted: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[1] = v + 1;
    else out.push([v, v + 1]);
  }
  return out;
}

/** Writes the part of `piece` inside `box` (this chunk's global box) into `out`. */
async function fill(out: NDArray, box: Box, piece: GatherPiece): Promise<void> {
  const nd = box.length;
  // The part of this chunk the piece covers, per result axis.
  const part = box.map(([lo, hi], k) => [
    Math.max(lo, (piece.region[k] as [number, number])[0]),
    Math.min(hi, (piece.region[k] as [number, number])[1]),
  ]);
  if (part.some(([lo, hi]) => (hi as number) <= (lo as number))) return;
  // Per source axis: the distinct source indices needed, and each result coordinate's place among them.
  const srcNd = piece.src.layout.dims.length;
  const needed: number[][] = Array.from({ length: srcNd }, () => []);
  const place: number[][] = [];
  piece.maps.forEach((m, k) => {
    const [lo, hi] = part[k] as [number, number];
    const cs = Array.from({ length: hi - lo }, (_, i) => coord(m, lo + i));
    const uniq = [...new Set(cs)].sort((a, b) => a - b);
    if (m.axis >= 0) needed[m.axis] = uniq;
    const at = new Map(uniq.map((v, i) => [v, i]));
    place[k] = cs.map((c) => at.get(c) as number);
  });
  // A compact host copy of just those indices, fetched as the product of their runs.
  const compactShape = needed.map((v) => v.length);
  const compact = new NDArray(
    new (ctorOf(piece.src.dtype))(compactShape.reduce((a, b) => a * b, 1)),
    compactShape,
  );
  const axisRuns = needed.map((v) => {
    let pos = 0;
    return runs(v).map(([lo, hi]) => {
      const r = { lo, hi, at: pos };
      pos += hi - lo;
      return r;
    });
  });
  const combos: { lo: number; hi: number; at: number }[][] = [[]];
  for (const rs of axisRuns) {
    const next: typeof combos = [];
    for (const c of combos) for (const r of rs) next.push([...c, r]);
    combos.splice(0, combos.length, ...next);
  }
  await Promise.all(
    combos.map(async (c) => {
      const sbox: Box = c.map((r) => [r.lo, r.hi]);
      const got = await fetchBox(piece.src, sbox);
      const host = got instanceof NDArray ? got : await collect(got);
      copyBox(
        host,
        boxShape(sbox).map((n) => [0, n] as [number, number]),
        compact,
        c.map((r) => r.at),
      );
    }),
  );
  // Result element ← compact element, axis by axis.
  const cs = compactShape.map((_, a) => compactShape.slice(a + 1).reduce((x, y) => x * y, 1));
  const os = box.map((_, k) => box.slice(k + 1).reduce((x, [lo, hi]) => x * (hi - lo), 1));
  const count = part.reduce((x, [lo, hi]) => x * ((hi as number) - (lo as number)), 1);
  const idx = new Array<number>(nd).fill(0);
  for (let n = 0; n < count; n++) {
    let src = 0;
    let dst = 0;
    for (let k = 0; k < nd; k++) {
      const i = idx[k] as number;
      const axis = (piece.maps[k] as AxisMap).axis;
      if (axis >= 0) src += ((place[k] as number[])[i] as number) * (cs[axis] as number);
      dst += ((part[k]?.[0] as number) - (box[k] as [number, number])[0] + i) * (os[k] as number);
    }
    out.data[dst] = compact.data[src] as number;
    for (let k = nd - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < ((part[k] as number[])[1] as number) - ((part[k] as number[])[0] as number))
        break;
      idx[k] = 0;
    }
  }
}

/** The owner half: builds this process's result chunk from the pieces. */
export const gatherHere = registerBuiltin(
  'darrayGather',
  (outId: string, box: Box, dtype: DType, pieces: GatherPiece[], backend: string): void => {
    putChunk(
      outId,
      box,
      onBackend(backend, async () => {
        const out = new NDArray(new (ctorOf(dtype))(boxSize(box)), boxShape(box));
        await Promise.all(pieces.map((p) => fill(out, box, p)));
        return upload(out, backend);
      }),
    );
  },
);

/** The caller half: sends every owner of `layout` its command; returns the new DArray's id. */
export function sendGather(
  layout: Layout,
  dtype: DType,
  pieces: readonly GatherPiece[],
  backend: string,
): string {
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDoQueued(gatherHere, p, id, chunkBox(layout, c), dtype, [...pieces], backend);
  });
  return id;
}

/** The owner half of {@link whenBuilt}: settles once this process's chunk of `id` is made (or failed). */
export const builtHere = registerBuiltin('darrayBuilt', async (id: string): Promise<void> => {
  await (await awaitChunkEntry(id)).array;
});

/** Resolves once every chunk of `d` is made; rejects with the first owner's failure. */
export async function whenBuilt(d: { id: string; layout: Layout }): Promise<void> {
  await Promise.all(d.layout.pids.map((p) => remotecallFetch(builtHere, p, d.id)));
}
