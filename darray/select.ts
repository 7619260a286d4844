/**
 * Reading a selection (indices.ts's selectors, in global indices) of a DArray from inside a process:
 * each chunk that holds part of it gathers that part where it lives (on its device for GPU chunks)
 * and sends only those elements, owner to reader, never through the master. `selectHere` is the
 * owner half; `gatherSelection` asks every owner concerned and assembles the parts on the host.
 */
import { ctorOf } from '../src/array/dtype.js';
import { type Indices, type Selector, selAt, selLength, selShape, unravel } from '../src/array/indices.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { release } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { sizeOf } from '../src/array/shape.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { type Box, chunkBox } from './layout.js';
import type { ChunkedArray } from './read.js';
import { awaitChunkEntry, running } from './store.js';

/** Selectors shifted from global indices into a chunk's own (its box starts at `box[k][0]`). */
export function toLocal(sels: readonly Selector[], box: Box): Selector[] {
  return sels.map((s, k) => {
    const lo = box[k]?.[0] ?? 0;
    if (lo === 0) return s;
    if (s.kind === 'scalar') return { kind: 'scalar', i: s.i - lo };
    if (s.kind === 'range') return { ...s, start: s.start - lo };
    return { kind: 'list', idx: s.idx.map((i) => i - lo) };
  });
}

/** A number or a device array as a host NDArray of `shape` (the gathered part of a chunk). */
async function toHost(got: AnyArray | number, dtype: NDArray['dtype'], shape: number[]): Promise<NDArray> {
  if (typeof got === 'number') {
    const out = new NDArray(new (ctorOf(dtype))(1), shape);
    out.data[0] = got;
    return out;
  }
  if (got instanceof NDArray) return got;
  try {
    return await collect(got);
  } finally {
    release(got);
  }
}

/**
 * This process's chunk of DArray `id`, gathered at `ix` (global indices, or with `ix.linear` flat
 * offsets within the chunk), on the chunk's backend: a number when every selector is a scalar.
 */
export async function selectLocal(id: string, ix: Indices): Promise<AnyArray | number> {
  const e = await awaitChunkEntry(id);
  const chunk = await e.array;
  const local = ix.linear ? ix : { sels: toLocal(ix.sels, e.box), linear: false };
  return getKernel('getindex', chunk.backend)(chunk, local);
}

async function selectHost(id: string, ix: Indices, dtype: NDArray['dtype']): Promise<NDArray> {
  return toHost(await selectLocal(id, ix), dtype, selShape(ix.sels));
}

/** The owner half: the elements of this process's chunk of `id` at `ix`, as a host array. */
export const selectHere = registerBuiltin(
  'darraySelect',
  // Counted as running, so a free that arrives meanwhile waits for the gather to finish.
  (id: string, ix: Indices, dtype: NDArray['dtype']): Promise<NDArray> => running(selectHost(id, ix, dtype)),
);

/**
 * For one chunk range [lo, hi) of a dimension: the part of `s` inside it, as the source selector
 * (global indices) and the positions within `s` it fills; undefined when nothing falls inside.
 */
export function splitSel(s: Selector, lo: number, hi: number): { src: Selector; pos: Selector } | undefined {
  if (s.kind === 'scalar') return s.i >= lo && s.i < hi ? { src: s, pos: s } : undefined;
  if (s.kind === 'range') {
    const { start, step, len } = s;
    let j0: number;
    let j1: number;
    if (step > 0) {
      j0 = Math.ceil((lo - start) / step);
      j1 = Math.ceil((hi - start) / step);
    } else {
      j0 = Math.floor((start - hi) / -step) + 1;
      j1 = Math.floor((start - lo) / -step) + 1;
    }
    j0 = Math.max(0, j0);
    j1 = Math.min(len, j1);
    if (j1 <= j0) return undefined;
    return {
      src: { kind: 'range', start: start + j0 * step, step, len: j1 - j0 },
      pos: { kind: 'range', start: j0, step: 1, len: j1 - j0 },
    };
  }
  const src: number[] = [];
  const pos: number[] = [];
  s.idx.forEach((i, j) => {
    if (i >= lo && i < hi) {
      src.push(i);
      pos.push(j);
    }
  });
  if (src.length === 0) return undefined;
  return {
    src: { kind: 'list', idx: Int32Array.from(src) },
    pos: { kind: 'list', idx: Int32Array.from(pos) },
  };
}

/** One chunk's share of a selection: its index, its owner, its source selectors and the positions they fill. */
export interface Part {
  chunk: number;
  owner: number;
  src: Selector[];
  pos: Selector[];
}

/** The chunks of `d` that hold part of the selection `sels` (one selector per dimension). */
export function partsOf(d: ChunkedArray, sels: readonly Selector[]): Part[] {
  const parts: Part[] = [];
  d.layout.pids.forEach((owner, c) => {
    const box = chunkBox(d.layout, c);
    const src: Selector[] = [];
    const pos: Selector[] = [];
    for (let k = 0; k < sels.length; k++) {
      const cut = splitSel(sels[k] as Selector, ...(box[k] as [number, number]));
      if (!cut) return;
      src.push(cut.src);
      pos.push(cut.pos);
    }
    parts.push({ chunk: c, owner, src, pos });
  });
  return parts;
}

/**
 * The elements of `d` at `sels` (global, one selector per dimension) on the host, each part
 * gathered by its owner and sent straight here.
 */
export async function gatherSelection(d: ChunkedArray, sels: readonly Selector[]): Promise<NDArray> {
  const shape = selShape(sels);
  const out = new NDArray(new (ctorOf(d.dtype))(sizeOf(shape)), shape);
  const put = getKernel('setindex', 'cpu');
  await Promise.all(
    partsOf(d, sels).map(async ({ owner, src, pos }) => {
      const ix: Indices = { sels: src, linear: false };
      const piece =
        owner === state.myid
          ? await selectHost(d.id, ix, d.dtype)
          : await remotecallFetch(selectHere, owner, d.id, ix, d.dtype);
      // Positions with the scalar dimensions dropped, as the result has them.
      await put(out, piece, {
        sels: pos.filter((_, k) => (sels[k] as Selector).kind !== 'scalar'),
        linear: false,
      });
    }),
  );
  return out;
}

/** The chunk of `layout` holding each of the given n-d positions (by binary search in the cuts). */
function chunkAt(d: ChunkedArray, at: readonly number[]): number {
  let c = 0;
  at.forEach((i, k) => {
    const cuts = d.layout.cuts[k] as readonly number[];
    let lo = 0;
    let hi = cuts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((cuts[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    c = c * (d.layout.dist[k] as number) + lo;
  });
  return c;
}

/**
 * A linear selection (row-major positions over all of `d`) grouped by chunk: per chunk, the flat
 * offsets within the chunk and the positions in the selection they fill.
 */
export function linearParts(d: ChunkedArray, s: Selector): Map<number, { local: number[]; pos: number[] }> {
  const groups = new Map<number, { local: number[]; pos: number[] }>();
  const n = selLength(s);
  for (let j = 0; j < n; j++) {
    const at = unravel(selAt(s, j), d.layout.dims);
    const c = chunkAt(d, at);
    const box = chunkBox(d.layout, c);
    let local = 0;
    box.forEach(([lo, hi], k) => {
      local = local * (hi - lo) + (at[k] as number) - lo;
    });
    let g = groups.get(c);
    if (!g) groups.set(c, (g = { local: [], pos: [] }));
    g.local.push(local);
    g.pos.push(j);
  }
  return groups;
}

/** The elements of `d` at linear positions `s` (row-major over all of `d`), on the host. */
export async function gatherLinear(d: ChunkedArray, s: Selector): Promise<NDArray> {
  const out = new NDArray(new (ctorOf(d.dtype))(selLength(s)), [selLength(s)]);
  await Promise.all(
    [...linearParts(d, s)].map(async ([c, { local, pos }]) => {
      const owner = d.layout.pids[c] as number;
      const ix: Indices = { sels: [{ kind: 'list', idx: Int32Array.from(local) }], linear: true };
      const piece =
        owner === state.myid
          ? await selectHost(d.id, ix, d.dtype)
          : await remotecallFetch(selectHere, owner, d.id, ix, d.dtype);
      pos.forEach((p, e) => {
        out.data[p] = piece.data[e] as number;
      });
    }),
  );
  return out;
}
