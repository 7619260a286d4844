/**
 * Distributed sample sort of a vector DArray (DistributedArrays.jl's sort): each owner sorts its
 * chunk and sends a few samples to the caller, which picks splitters; each owner then counts its
 * elements per bucket, and the owner of result chunk c fetches bucket c straight from every sorted
 * chunk (worker to worker) and merges. Only samples and counts reach the caller, never the data.
 * The result's chunks are uneven: chunk c holds bucket c.
 */
import { ctorOf, type DType, type TypedArray } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import { ArgumentError } from '../src/errors.js';
import { remotecallFetch, remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { layoutFromCuts } from './cuts.js';
import { checkOpen, DArray, localpart } from './darray.js';
import { whenBuilt } from './gather.js';
import { type Box, chunkBox } from './layout.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** Ascending with NaN last (TypedArray sort's order): whether a comes strictly before b. */
const before = (a: number, b: number) => a < b || (Number.isNaN(b) && !Number.isNaN(a));

/** Number of elements of sorted `v` that do not come after `s`. */
function upperBound(v: TypedArray, s: number): number {
  let lo = 0;
  let hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(s, v[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const SAMPLES_PER_CHUNK = 8;

/** The owner half of step 1: sorts this chunk of `d` into chunk `tmpId`; returns evenly spaced samples. */
export const sortLocalHere = registerBuiltin(
  'darraySortLocal',
  async (tmpId: string, d: DArray, box: Box, samples: number): Promise<number[]> => {
    const chunk = await localpart(d);
    const host = chunk instanceof NDArray ? chunk : await collect(chunk);
    const sorted = new NDArray(host.data.slice().sort() as TypedArray, host.shape);
    putChunk(tmpId, box, sorted);
    const n = sorted.size;
    return Array.from(
      { length: Math.min(samples, n) },
      (_, i) => sorted.data[Math.floor(((i + 0.5) * n) / samples)] as number,
    );
  },
);

/** The owner half of step 2: where each splitter falls in this process's sorted chunk. */
export const countHere = registerBuiltin(
  'darraySortCount',
  async (tmp: DArray, splitters: number[]): Promise<number[]> => {
    const sorted = (await localpart(tmp)) as NDArray;
    return splitters.map((s) => upperBound(sorted.data, s));
  },
);

/** The owner half of step 3: bucket `ranges` from every sorted chunk, merged (reversed for rev). */
export const mergeHere = registerBuiltin(
  'darraySortMerge',
  (
    outId: string,
    box: Box,
    tmp: DArray,
    ranges: [number, number][],
    rev: boolean,
    dtype: DType,
    backend: string,
  ): void => {
    putChunk(
      outId,
      box,
      onBackend(backend, async () => {
        const pieces = await Promise.all(
          ranges.filter(([lo, hi]) => hi > lo).map(async (r) => (await fetchBox(tmp, [r])) as NDArray),
        );
        const out = new (ctorOf(dtype))(pieces.reduce((n, p) => n + p.size, 0));
        let at = 0;
        for (const p of pieces) {
          out.set(p.data as never, at);
          at += p.size;
        }
        out.sort();
        if (rev) out.reverse();
        return upload(new NDArray(out, [out.length]), backend);
      }),
    );
  },
);

/** Options of {@link sort}. */
export interface SortOptions {
  /** Descending instead of ascending (NaN first then, as Julia's rev=true). */
  rev?: boolean;
}

/**
 * A sorted copy of a vector DArray, as a DArray over the same owners (ascending, NaN last; `rev`
 * for descending). A sample sort: the data moves once, owner to owner; the result's chunks are of
 * uneven length, as in DistributedArrays.jl.
 *
 * @example const s = await sort(await drand([1000])); // s.cuts shows where each owner's part begins
 */
export async function sort(d: DArray, options: SortOptions = {}): Promise<DArray> {
  if (!(d instanceof DArray))
    throw new ArgumentError('sort: expected a DArray (a vector); sort host arrays with TypedArray.sort');
  checkOpen(d, 'sort');
  if (d.ndim !== 1)
    throw new ArgumentError(
      `sort: expected a vector DArray, got shape [${d.shape.join(', ')}]; reshape it to a vector first`,
    );
  const rev = options.rev === true;
  const p = d.pids.length;
  const tmpId = newDArrayId();
  const tmp = new DArray(tmpId, d.dtype, d.layout, 'cpu');
  try {
    const samples = (
      await Promise.all(
        d.pids.map((pid, c) =>
          remotecallFetch(sortLocalHere, pid, tmpId, d, chunkBox(d.layout, c), SAMPLES_PER_CHUNK),
        ),
      )
    ).flat();
    const all = Float64Array.from(samples).sort();
    const splitters = Array.from(
      { length: p - 1 },
      (_, i) => all[Math.floor(((i + 1) * all.length) / p)] ?? Number.NaN,
    );
    const bounds = await Promise.all(d.pids.map((pid) => remotecallFetch(countHere, pid, tmp, splitters)));
    // bucket c of chunk j: [edge(j, c), edge(j, c + 1)) of that sorted chunk.
    const edge = (j: number, c: number) =>
      c === 0
        ? 0
        : c === p
          ? (d.layout.cuts[0]?.[j + 1] as number) - (d.layout.cuts[0]?.[j] as number)
          : (bounds[j]?.[c - 1] as number);
    const buckets = Array.from({ length: p }, (_, c) => {
      const b = rev ? p - 1 - c : c;
      return d.pids.map((_, j): [number, number] => {
        const lo = d.layout.cuts[0]?.[j] as number;
        return [lo + edge(j, b), lo + edge(j, b + 1)];
      });
    });
    const cuts = [0];
    for (const rs of buckets)
      cuts.push((cuts[cuts.length - 1] as number) + rs.reduce((n, [lo, hi]) => n + hi - lo, 0));
    const layout = layoutFromCuts(d.shape, d.pids, [cuts], 'sort');
    const id = newDArrayId();
    layout.pids.forEach((pid, c) => {
      remoteDoQueued(
        mergeHere,
        pid,
        id,
        chunkBox(layout, c),
        tmp,
        buckets[c] as [number, number][],
        rev,
        d.dtype,
        d.chunkBackend,
      );
    });
    const out = new DArray(id, d.dtype, layout, d.chunkBackend);
    await whenBuilt(out).catch((e) => {
      out.close();
      throw e;
    });
    return out;
  } finally {
    tmp.close();
  }
}
