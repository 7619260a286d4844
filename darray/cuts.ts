/**
 * Layouts with uneven chunks: from explicit cut points (Julia's `DArray(init, dims, procs, cuts)`),
 * or from the shapes that owners made their chunks (ppeval, mapslices, DArrays from parts, sort).
 */
import { ArgumentError, describe } from '../src/errors.js';
import { chunkCoords, type Layout } from './layout.js';

/**
 * Checks cut points (per dimension: 0, increasing, up to dims[k]) and builds the layout over `pids`
 * (one owner per chunk, row-major over the grid).
 */
export function layoutFromCuts(
  dims: readonly number[],
  pids: readonly number[],
  cuts: readonly (readonly number[])[],
  verb = 'DArray',
): Layout {
  if (!Array.isArray(cuts) || cuts.length !== dims.length)
    throw new ArgumentError(
      `${verb}: cuts must give a list of cut points for each of the ${dims.length} dimensions, got ${describe(cuts)}`,
    );
  cuts.forEach((c, k) => {
    const ok =
      Array.isArray(c) &&
      c.length >= 2 &&
      c[0] === 0 &&
      c[c.length - 1] === dims[k] &&
      c.every((v, i) => Number.isInteger(v) && (i === 0 || v >= (c[i - 1] as number)));
    if (!ok)
      throw new ArgumentError(
        `${verb}: cuts[${k}] must rise from 0 to ${dims[k]} (e.g. [0, 3, ${dims[k]}]), got ${describe(c)}`,
      );
  });
  const dist = cuts.map((c) => c.length - 1);
  const n = dist.reduce((a, b) => a * b, 1);
  if (n > pids.length)
    throw new ArgumentError(
      `${verb}: cuts make ${n} chunks but only ${pids.length} processes were given; pass more procs or fewer cuts`,
    );
  return { dims: [...dims], dist, cuts: cuts.map((c) => [...c]), pids: pids.slice(0, n) };
}

/**
 * The layout whose chunk c has shape shapes[c], over a grid `dist` (row-major chunk order): chunks
 * in one grid row along an axis must agree on their extent along the others. Throws naming the
 * first chunk that does not fit.
 */
export function layoutFromShapes(
  dist: readonly number[],
  pids: readonly number[],
  shapes: readonly (readonly number[])[],
  verb: string,
): Layout {
  const nd = dist.length;
  const grid = { dims: [], dist, cuts: [], pids } as Layout;
  const extents: (number | undefined)[][] = dist.map((n) => new Array<number | undefined>(n).fill(undefined));
  shapes.forEach((s, c) => {
    if (s.length !== nd)
      throw new ArgumentError(
        `${verb}: the part of chunk ${c} (on process ${pids[c]}) has ${s.length} dimensions, but the chunk grid [${dist.join(', ')}] has ${nd}`,
      );
    chunkCoords(grid, c).forEach((i, k) => {
      const row = extents[k] as (number | undefined)[];
      const seen = row[i];
      if (seen !== undefined && seen !== s[k])
        throw new ArgumentError(
          `${verb}: the parts do not tile an array: chunk ${c} (on process ${pids[c]}) has extent ${s[k]} along dimension ${k}, but another part in the same grid position along it has ${seen}`,
        );
      row[i] = s[k];
    });
  });
  const cuts = extents.map((row) => {
    const c = [0];
    for (const e of row) c.push((c[c.length - 1] as number) + (e ?? 0));
    return c;
  });
  return { dims: cuts.map((c) => c[c.length - 1] as number), dist: [...dist], cuts, pids: [...pids] };
}
