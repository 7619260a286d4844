/**
 * A DArray from arrays already on workers (Julia's `DArray(refs)`): each Future's owner takes a copy
 * of the array it holds as its chunk, and the cuts come from the parts' shapes. No data moves.
 */
import { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { reshape } from '../src/array/shape-ops.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { Future } from '../src/remote/future.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { DArray } from './darray.js';
import { dropParts, keepPart, makeParts, placeParts } from './parts.js';
import { asPart } from './ppeval.js';
import { newDArrayId } from './store.js';

/** The owner half: copies the array `ref` holds here and keeps it as this process's part. */
export const takeRefHere = registerBuiltin(
  'darrayTakeRef',
  async (id: string, ref: Future): Promise<[number[], string, string]> => {
    const x = asPart(await ref.fetch(), 'DArray.fromRefs');
    // A copy: the Future keeps its own value, and closing the DArray must not free it.
    const own: AnyArray =
      x instanceof NDArray ? new NDArray(x.data.slice(), x.shape) : await reshape(x, x.shape);
    keepPart(id, own);
    return [[...own.shape], own.dtype, own.backend];
  },
);

/**
 * A DArray whose chunks are copies of the arrays the Futures hold, each kept by the Future's owner
 * (Julia's `DArray(refs)`). `refs` is a flat list (chunks stacked along axis 0) or a grid of lists
 * (rows of chunks); the parts must tile an array, be on distinct processes, and share a backend.
 *
 * @example const d = await darrayFromRefs([spawnAt(2, () => rand([3, 4])), spawnAt(3, () => rand([5, 4]))])
 */
export async function darrayFromRefs(
  refs: readonly Future[] | readonly (readonly Future[])[],
): Promise<DArray> {
  if (!Array.isArray(refs) || refs.length === 0)
    throw new ArgumentError(`DArray.fromRefs: expected a non-empty list of Futures, got ${describe(refs)}`);
  const nested = Array.isArray(refs[0]);
  const flat = (nested ? (refs as Future[][]).flat() : (refs as Future[])) as unknown[];
  const grid = nested ? [refs.length, (refs[0] as Future[]).length] : [refs.length];
  if (nested && (refs as Future[][]).some((row) => !Array.isArray(row) || row.length !== grid[1]))
    throw new ArgumentError('DArray.fromRefs: every row of the grid of Futures must have the same length');
  flat.forEach((r, i) => {
    if (!(r instanceof Future))
      throw new ArgumentError(`DArray.fromRefs: item ${i} must be a Future, got ${describe(r)}`);
  });
  const pids = (flat as Future[]).map((f) => f.where);
  const dup = pids.find((p, i) => pids.indexOf(p) !== i);
  if (dup !== undefined)
    throw new ArgumentError(
      `DArray.fromRefs: two parts live on process ${dup}; a process holds one chunk of a DArray, so put each part on its own process`,
    );
  const id = newDArrayId();
  const got = await makeParts(id, pids, (p, c) => remotecallFetch(takeRefHere, p, id, flat[c] as Future));
  // Parts of fewer axes than the grid are not allowed; more axes than the grid are chunked once (dist 1).
  const nd = got[0]?.[0].length ?? 0;
  const dtypes = new Set(got.map(([, dt]) => dt));
  const backends = new Set(got.map(([, , b]) => b));
  if (dtypes.size > 1 || backends.size > 1 || nd < grid.length) {
    await dropParts(id, pids);
    throw new ArgumentError(
      `DArray.fromRefs: the parts must share dtype and backend and have at least ${grid.length} dimension(s); got dtypes ${[...dtypes].join(', ')}, backends ${[...backends].join(', ')}, ${nd} dimension(s)`,
    );
  }
  const dist = [...grid, ...new Array<number>(nd - grid.length).fill(1)];
  const layout = await placeParts(
    id,
    dist,
    pids,
    got.map(([s]) => s),
    'DArray.fromRefs',
  );
  const [[, dtype, backend]] = got as [[number[], string, string]];
  return new DArray(id, dtype as DArray['dtype'], layout, backend);
}
