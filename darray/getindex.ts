/**
 * Distributed getindex: the result is a DArray over the workers that held the data. Where the
 * selection keeps the source's chunk order (ranges, sorted lists), the result is cut at the
 * source's own cuts, so each owner cuts its result chunk out of its own chunk and nothing moves;
 * otherwise each new owner gathers its part from the owners directly (select.ts). One number when
 * every index is a number: one round trip to the owner of that element.
 */
import { allScalar, type Indices, type Selector, selAt, selLength, selShape } from '../src/array/indices.js';
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { remotecallFetch, remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, onChunkBackend } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, chunkBox, type Layout, makeLayout } from './layout.js';
import { firstDArray } from './operands.js';
import { gatherLinear, gatherSelection, partsOf, selectHere, selectLocal } from './select.js';
import { hasChunk, newDArrayId, putChunk } from './store.js';

/** The part of each non-scalar selector that fills positions `box` of the result (scalars stay). */
export function restrict(sels: readonly Selector[], box: Box): Selector[] {
  let o = 0;
  return sels.map((s) => {
    if (s.kind === 'scalar') return s;
    const [lo, hi] = box[o++] as [number, number];
    if (s.kind === 'range')
      return { kind: 'range', start: s.start + lo * s.step, step: s.step, len: hi - lo };
    return { kind: 'list', idx: s.idx.slice(lo, hi) };
  });
}

/** The chunk coordinate along dimension k of each position a selector picks. */
function coordsAlong(cuts: readonly number[], s: Selector): number[] {
  const out: number[] = [];
  let c = 0;
  for (let j = 0; j < selLength(s); j++) {
    const i = selAt(s, j);
    // Positions usually advance through the cuts in order; search from the last chunk found.
    if (!(i >= (cuts[c] as number) && i < (cuts[c + 1] as number))) {
      c = 0;
      while (i >= (cuts[c + 1] as number)) c++;
    }
    out.push(c);
  }
  return out;
}

/**
 * A result layout cut where the selection crosses the source's cuts, each chunk owned by the owner
 * of the source chunk it comes from; undefined when the selection revisits a chunk along some
 * dimension (an unsorted list), is empty, or two result chunks would share an owner.
 */
export function alignedLayout(src: Layout, sels: readonly Selector[]): Layout | undefined {
  const dims = selShape(sels);
  if (dims.some((n) => n === 0)) return undefined;
  const cuts: number[][] = [];
  const coords: number[][] = [];
  sels.forEach((s, k) => {
    const along = coordsAlong(src.cuts[k] as readonly number[], s);
    const runs: number[] = [];
    const cut = [0];
    along.forEach((c, j) => {
      if (j === 0 || c !== along[j - 1]) {
        if (j > 0) cut.push(j);
        runs.push(c);
      }
    });
    cut.push(along.length);
    coords.push(runs);
    if (s.kind !== 'scalar') cuts.push(cut);
  });
  for (const runs of coords) if (new Set(runs).size !== runs.length) return undefined;
  // Result chunks in row-major order over the grid of runs of the non-scalar dimensions.
  const grid = sels.map((s, k) => (s.kind === 'scalar' ? 1 : (coords[k] as number[]).length));
  const total = grid.reduce((a, b) => a * b, 1);
  const pids: number[] = [];
  for (let g = 0; g < total; g++) {
    let rem = g;
    let c = 0;
    const at = new Array<number>(sels.length);
    for (let k = sels.length - 1; k >= 0; k--) {
      at[k] = rem % (grid[k] as number);
      rem = Math.floor(rem / (grid[k] as number));
    }
    at.forEach((r, k) => {
      c = c * (src.dist[k] as number) + ((coords[k] as number[])[r] as number);
    });
    pids.push(src.pids[c] as number);
  }
  if (new Set(pids).size !== pids.length) return undefined;
  return { dims, dist: cuts.map((c) => c.length - 1), cuts, pids };
}

/** The owner half: this process's chunk of the result, cut from its own chunk or gathered from the owners. */
export const getindexHere = registerBuiltin(
  'darrayGetindex',
  (outId: string, outBox: Box, a: DArray, sels: Selector[], backend: string): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const parts = partsOf(a, sels);
        const only = parts.length === 1 ? parts[0] : undefined;
        // All of it lies in this process's chunk: index the chunk where it is (on its device).
        if (only && only.owner === state.myid && hasChunk(a.id)) {
          // The result has at least one dimension (all-scalar reads return a number on the caller).
          return (await selectLocal(a.id, { sels, linear: false })) as AnyArray;
        }
        return onChunkBackend(await gatherSelection(a, sels), backend);
      }),
    );
  },
);

/** The owner half of a linear selection: this process's part, gathered from the owners. */
export const getindexLinearHere = registerBuiltin(
  'darrayGetindexLinear',
  (outId: string, outBox: Box, a: DArray, sel: Selector, backend: string): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => onChunkBackend(await gatherLinear(a, sel), backend)),
    );
  },
);

/** The 'darray' kernel of `getindex`, the caller half. */
export async function darrayGetindex(x: AnyArray, ix: Indices): Promise<AnyArray | number> {
  const A = firstDArray('getindex', [x]);
  const { sels } = ix;
  if (allScalar(sels) && !ix.linear) {
    const [part] = partsOf(A, sels);
    const got = await remotecallFetch(selectHere, (part as { owner: number }).owner, A.id, ix, A.dtype);
    return got.data[0] as number;
  }
  const shape = selShape(sels);
  const id = newDArrayId();
  if (ix.linear) {
    const layout = makeLayout(shape, A.pids);
    layout.pids.forEach((p, c) => {
      const box = chunkBox(layout, c);
      remoteDoQueued(getindexLinearHere, p, id, box, A, restrict(sels, box)[0] as Selector, A.chunkBackend);
    });
    return new DArray(id, A.dtype, layout, A.chunkBackend);
  }
  const holders = [...new Set(partsOf(A, sels).map((p) => p.owner))];
  const layout =
    alignedLayout(A.layout, sels) ?? makeLayout(shape, holders.length > 0 ? holders : A.pids.slice(0, 1));
  layout.pids.forEach((p, c) => {
    const box = chunkBox(layout, c);
    remoteDoQueued(getindexHere, p, id, box, A, restrict(sels, box), A.chunkBackend);
  });
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}
