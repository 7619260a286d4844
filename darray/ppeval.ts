/**
 * ppeval (DistributedArrays.jl): calls a function on each owner with its chunks of the DArray
 * arguments, in parallel; the parts it returns are the chunks of a new DArray.
 */
import { array } from '../src/array/create.js';
import type { DType } from '../src/array/dtype.js';
import type { AnyArray } from '../src/array/protocol.js';
import { isArrayLike } from '../src/array/registry.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { analyse, registerBuiltin } from '../src/remote/ship.js';
import { onChunkBackend } from './chunk-backend.js';
import { checkOpen, DArray, localpart } from './darray.js';
import { sameList } from './layout.js';
import { dropParts, keepPart, makeParts, placeParts } from './parts.js';
import { newDArrayId } from './store.js';

/** An owner's part as an array: arrays as they are, nested or flat numbers as an NDArray. */
export function asPart(x: unknown, verb: string): AnyArray {
  if (isArrayLike(x)) return x;
  if (typeof x === 'number') return array([x]);
  if (Array.isArray(x)) return array(x);
  throw new ArgumentError(`${verb}: the function must return an array (or numbers), got ${describe(x)}`);
}

/** The owner half: f on this process's chunks; the result is kept aside, its shape and dtype returned. */
export const ppevalHere = registerBuiltin(
  'darrayPpeval',
  async (
    id: string,
    f: (...xs: unknown[]) => unknown,
    args: unknown[],
    backend: string,
  ): Promise<[number[], DType]> => {
    const local = await Promise.all(args.map((a) => (a instanceof DArray ? localpart(a) : a)));
    const part = await onChunkBackend(asPart(await f(...local), 'ppeval'), backend);
    keepPart(id, part);
    return [[...part.shape], part.dtype];
  },
);

/**
 * Calls `f` on every owner with its chunk of each DArray argument (other arguments are passed as
 * they are), all in parallel; the arrays it returns become the chunks of a new DArray on the same
 * owners and chunk grid, with cuts taken from their shapes. The DArrays must share owners and chunk
 * grid (axes of a single chunk aside). Julia's ppeval calls f per slice along the last axis; this calls it once per chunk (a
 * chunk of a k-split last axis holds k slices), and parts of fewer axes drop the grid's
 * single-chunk axes, first ones first.
 *
 * @example const d2 = await ppeval((a) => map((x) => 2 * x, a), d) // each chunk doubled where it lives
 */
export async function ppeval(f: (...chunks: never[]) => unknown, ...args: unknown[]): Promise<DArray> {
  if (typeof f !== 'function')
    throw new ArgumentError(`ppeval: expected a function of the chunks, got ${describe(f)}`);
  const ds = args.filter((a): a is DArray => a instanceof DArray);
  const first = ds[0];
  if (!first) throw new ArgumentError('ppeval: expected at least one DArray among the arguments');
  for (const d of ds) {
    checkOpen(d, 'ppeval');
    // Axes of one chunk do not count: a 10×10×k array split along its last axis pairs with 10×k.
    const split = (x: DArray) => x.layout.dist.filter((n) => n !== 1);
    if (!sameList(d.pids, first.pids) || !sameList(split(d), split(first)))
      throw new ArgumentError(
        `ppeval: the DArrays must share owners and chunk grid; ${first} and ${d} differ (redistribute one with distribute or DArray.init)`,
      );
  }
  analyse(f, 'the function passed to ppeval');
  const id = newDArrayId();
  const backend = first.chunkBackend;
  const got = await makeParts(id, first.pids, (p) =>
    remotecallFetch(ppevalHere, p, id, f as (...xs: unknown[]) => unknown, args, backend),
  );
  const dtypes = got.map(([, dt]) => dt);
  if (dtypes.some((dt) => dt !== dtypes[0])) {
    await dropParts(id, first.pids);
    throw new ArgumentError(
      `ppeval: the parts have different dtypes (${dtypes.join(', ')}); return one dtype from f`,
    );
  }
  // Parts with fewer axes than the grid drop its single-chunk axes, the first ones first (so chunks
  // of a 10×10×k array split along the last axis can each give a vector: a 10×k result).
  const nd = got[0]?.[0].length ?? 0;
  const dist = [...first.layout.dist];
  for (let k = 0; k < dist.length && dist.length > nd; )
    if (dist[k] === 1) dist.splice(k, 1);
    else k++;
  const layout = await placeParts(
    id,
    dist,
    first.pids,
    got.map(([s]) => s),
    'ppeval',
  );
  return new DArray(id, dtypes[0] as DType, layout, backend);
}
