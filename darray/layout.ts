/**
 * How a DArray is cut into chunks: per dimension a list of cut points (`cuts[d]`, from 0 to
 * dims[d]), a grid of chunks (`dist[d]` along dimension d), and one owner pid per chunk in
 * row-major order over the grid, as in DistributedArrays.jl (0-based, half-open ranges).
 */
import { ArgumentError, describe } from '../src/errors.js';

/** A half-open index range [lo, hi) per dimension. */
export type Box = [lo: number, hi: number][];

/** How a DArray is cut: its global shape, the chunk grid, the cut points and each chunk's owner. */
export interface Layout {
  readonly dims: readonly number[];
  readonly dist: readonly number[];
  readonly cuts: readonly (readonly number[])[];
  /** Owner of each chunk, row-major over the chunk grid. */
  readonly pids: readonly number[];
}

/** Chunks per dimension for `nprocs` processes: the whole count along the largest dimension that can take it. */
export function defaultDist(dims: readonly number[], nprocs: number): number[] {
  if (dims.length === 0) return [];
  const dist = dims.map(() => 1);
  // Split along the first dimension (rows) when it is long enough, as row blocks suit matvec and
  // keep chunks contiguous in row-major order; otherwise factor the count over the dimensions.
  let left = nprocs;
  const order = dims.map((_, d) => d);
  for (const d of order) {
    if (left <= 1) break;
    const take = largestDivisorAtMost(left, dims[d] as number);
    dist[d] = take;
    left /= take;
  }
  return dist;
}

function largestDivisorAtMost(n: number, cap: number): number {
  for (let k = Math.min(n, Math.max(1, cap)); k >= 1; k--) if (n % k === 0) return k;
  return 1;
}

/**
 * Cut points splitting `n` into `parts` ranges as even as possible, the larger ones first (as
 * DistributedArrays' defaultdist): 10 over 3 gives lengths 4, 3, 3.
 */
export function defaultCuts(n: number, parts: number): number[] {
  const base = Math.floor(n / parts);
  const extra = n % parts;
  const cuts = [0];
  // The first `extra` ranges take one more element each.
  for (let k = 1; k <= parts; k++) cuts.push(k * base + Math.min(k, extra));
  return cuts;
}

/**
 * Builds and checks a layout from dims, owner pids and (optionally) chunks per dimension; `verb`
 * names the caller in error messages.
 */
export function makeLayout(
  dims: readonly number[],
  pids: readonly number[],
  dist?: readonly number[],
  verb = 'DArray',
): Layout {
  if (!Array.isArray(dims) || !dims.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ArgumentError(
      `${verb}: dims must be an array of non-negative integers such as [100, 50], got ${describeList(dims)}`,
    );
  }
  if (!Array.isArray(pids) || pids.length === 0 || !pids.every((p) => Number.isInteger(p) && p >= 1)) {
    throw new ArgumentError(
      `${verb}: procs must be a non-empty array of process ids such as workers(), got ${describeList(pids)}`,
    );
  }
  if (dist !== undefined && (!Array.isArray(dist) || !dist.every((k) => Number.isInteger(k) && k >= 1))) {
    throw new ArgumentError(
      `${verb}: dist must be an array of positive integers (chunks per dimension), got ${describeList(dist)}`,
    );
  }
  const d = dist ? [...dist] : defaultDist(dims, pids.length);
  if (d.length !== dims.length) {
    throw new ArgumentError(
      `${verb}: dist must give a number of chunks for each of the ${dims.length} dimensions, got [${d.join(', ')}]`,
    );
  }
  const nchunks = d.reduce((a, b) => a * b, 1);
  if (nchunks > pids.length) {
    throw new ArgumentError(
      `${verb}: dist [${d.join(', ')}] makes ${nchunks} chunks but only ${pids.length} processes were given; pass more procs or a smaller dist`,
    );
  }
  return {
    dims: [...dims],
    dist: d,
    cuts: dims.map((n, k) => defaultCuts(n, d[k] as number)),
    pids: pids.slice(0, nchunks),
  };
}

/** An array's values when short (so the message shows what was wrong), else describe(). */
function describeList(v: unknown): string {
  if (Array.isArray(v) && v.length <= 8)
    return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))).join(', ')}]`;
  return describe(v);
}

/** Grid coordinates of chunk `c` (row-major). */
export function chunkCoords(layout: Layout, c: number): number[] {
  const coords: number[] = [];
  let rem = c;
  for (let k = layout.dist.length - 1; k >= 0; k--) {
    const n = layout.dist[k] as number;
    coords[k] = rem % n;
    rem = Math.floor(rem / n);
  }
  return coords;
}

/** The index box chunk `c` covers. */
export function chunkBox(layout: Layout, c: number): Box {
  return chunkCoords(layout, c).map((i, k) => {
    const cuts = layout.cuts[k] as readonly number[];
    return [cuts[i] as number, cuts[i + 1] as number];
  });
}

/** Every chunk's box, in chunk order. */
export function boxes(layout: Layout): Box[] {
  return layout.pids.map((_, c) => chunkBox(layout, c));
}

/** The shape of the sub-array a box covers. */
export const boxShape = (box: Box): number[] => box.map(([lo, hi]) => hi - lo);
/** The number of elements a box covers. */
export const boxSize = (box: Box): number => box.reduce((s, [lo, hi]) => s * (hi - lo), 1);

/** The overlap of two boxes, or undefined when they do not meet. */
export function intersect(a: Box, b: Box): Box | undefined {
  const out: Box = [];
  for (let k = 0; k < a.length; k++) {
    const lo = Math.max((a[k] as [number, number])[0], (b[k] as [number, number])[0]);
    const hi = Math.min((a[k] as [number, number])[1], (b[k] as [number, number])[1]);
    if (hi <= lo) return undefined;
    out.push([lo, hi]);
  }
  return out;
}

/** Whether two lists of numbers (pids, cuts, dims) are equal element by element. */
export function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Whether two DArrays are cut identically with the same owners, so ops can pair chunks without moving data. */
export function sameLayout(a: Layout, b: Layout): boolean {
  return (
    sameList(a.dims, b.dims) &&
    sameList(a.pids, b.pids) &&
    a.cuts.length === b.cuts.length &&
    a.cuts.every((c, k) => sameList(c, b.cuts[k] as number[]))
  );
}

/**
 * The part of an operand of shape `shape` that an output box needs under NumPy broadcasting:
 * dimensions are right-aligned, and a dimension of length 1 is read at index 0.
 */
export function projectBox(outBox: Box, shape: readonly number[]): Box {
  const offset = outBox.length - shape.length;
  return shape.map((n, k) => (n === 1 ? [0, 1] : (outBox[k + offset] as [number, number])));
}
