/** makelocal (DistributedArrays.jl): a host copy of a region of a DArray, fetched from its owners. */
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import { ArgumentError, describe } from '../src/errors.js';
import { checkOpen, type DArray } from './darray.js';
import type { Box } from './layout.js';
import { fetchBox } from './read.js';

/** One index of makelocal: a number (the axis is dropped), a half-open [start, stop], or ':' for all. */
export type LocalIndex = number | readonly [number, number] | ':';

/**
 * A host copy (NDArray) of the region of `d` given by one index per axis, read straight from the
 * owners of the chunks it overlaps (Julia's makelocal). In a worker that owns exactly that region
 * it copies its own chunk. Axes indexed by a number are dropped.
 *
 * @example const rows = await makelocal(d, [0, 10], ':') // the first ten rows
 */
export async function makelocal(d: DArray, ...idx: LocalIndex[]): Promise<NDArray> {
  checkOpen(d, 'makelocal');
  if (idx.length !== d.ndim)
    throw new ArgumentError(
      `makelocal: expected ${d.ndim} indices (one per axis of [${d.shape.join(', ')}]), got ${idx.length}`,
    );
  const box: Box = idx.map((ix, k) => {
    const n = d.shape[k] as number;
    const r: [number, number] =
      ix === ':'
        ? [0, n]
        : typeof ix === 'number'
          ? [ix, ix + 1]
          : Array.isArray(ix)
            ? [ix[0], ix[1]]
            : [-1, -1];
    if (!Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 0 || r[1] > n || r[0] > r[1])
      throw new ArgumentError(
        `makelocal: index ${k} must be a number in 0..${n - 1}, a range [start, stop] within 0..${n}, or ':', got ${describe(ix)}`,
      );
    return r;
  });
  const got = await fetchBox(d, box);
  // fetchBox hands back the local chunk itself when the region is exactly it: copy, never alias.
  const host = got instanceof NDArray ? new NDArray(got.data.slice(), got.shape) : await collect(got);
  return host.reshape(box.map(([lo, hi]) => hi - lo).filter((_, k) => typeof idx[k] !== 'number'));
}
