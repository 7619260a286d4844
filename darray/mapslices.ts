/**
 * mapslices (Julia's mapslices(f, d; dims)): f applied to every slice of a DArray along `dims`. The
 * array is first redistributed, owner to owner, so that no chunk cuts a slice (skipped when none
 * does); each owner then calls f on its own slices, on the host, and keeps the results as its chunk.
 */
import { ctorOf, type DType } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import { stridesOf } from '../src/array/shape.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { analyse, registerBuiltin } from '../src/remote/ship.js';
import { upload } from './chunk-backend.js';
import { checkOpen, DArray, localpart } from './darray.js';
import { sendGather, whenBuilt } from './gather.js';
import { defaultDist, type Layout, makeLayout } from './layout.js';
import { dropParts, keepPart, makeParts, placeParts } from './parts.js';
import { asPart } from './ppeval.js';
import { newDArrayId } from './store.js';

type SliceFn = (slice: NDArray) => unknown;

/** Every index tuple of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    yield [...idx];
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (shape[k] as number)) break;
      idx[k] = 0;
    }
  }
}

/** The owner half: f on each slice of this process's chunk; the results kept as this chunk's part. */
export const mapslicesHere = registerBuiltin(
  'darrayMapslices',
  async (
    id: string,
    src: DArray,
    dims: number[],
    f: SliceFn,
    backend: string,
  ): Promise<[number[], DType | undefined]> => {
    const chunk = await localpart(src);
    const host = chunk instanceof NDArray ? chunk : await collect(chunk);
    const shape = host.shape;
    const st = stridesOf(shape);
    const other = shape.map((_, k) => k).filter((k) => !dims.includes(k));
    const sliceShape = dims.map((k) => shape[k] as number);
    let resShape: number[] | undefined;
    let out: NDArray | undefined;
    let outSt: number[] = [];
    for (const o of indices(other.map((k) => shape[k] as number))) {
      const slice = new NDArray(new (ctorOf(host.dtype))(sliceShape.reduce((a, b) => a * b, 1)), sliceShape);
      let base = 0;
      other.forEach((k, i) => {
        base += (o[i] as number) * (st[k] as number);
      });
      let n = 0;
      for (const s of indices(sliceShape)) {
        let off = base;
        dims.forEach((k, i) => {
          off += (s[i] as number) * (st[k] as number);
        });
        slice.data[n++] = host.data[off] as number;
      }
      const r = asPart(await f(slice), 'mapslices');
      const rh = r instanceof NDArray ? r : await collect(r);
      // A number (or a 1-element result) fills each slice axis with extent 1, as in Julia.
      const rs = rh.size === 1 && rh.ndim !== dims.length ? dims.map(() => 1) : [...rh.shape];
      if (rs.length !== dims.length)
        throw new ArgumentError(
          `mapslices: f must return a number or an array with ${dims.length} dimension(s) (one per slice axis), got shape [${rs.join(', ')}]`,
        );
      if (!out) {
        resShape = rs;
        const full = shape.map((n, k) => (dims.includes(k) ? (rs[dims.indexOf(k)] as number) : n));
        out = new NDArray(new (ctorOf(rh.dtype))(full.reduce((a, b) => a * b, 1)), full);
        outSt = stridesOf(full);
      } else if (rs.some((v, i) => v !== resShape?.[i]))
        throw new ArgumentError(
          `mapslices: f returned shape [${rs.join(', ')}] for one slice and [${resShape?.join(', ')}] for another; every slice's result must have the same shape`,
        );
      let ob = 0;
      other.forEach((k, i) => {
        ob += (o[i] as number) * (outSt[k] as number);
      });
      let m = 0;
      for (const s of indices(rs)) {
        let off = ob;
        dims.forEach((k, i) => {
          off += (s[i] as number) * (outSt[k] as number);
        });
        out.data[off] = rh.data[m++] as number;
      }
    }
    // A chunk with no slices keeps extent 0 along the other axes; its slice axes take the result's.
    const part =
      out ??
      new NDArray(
        new (ctorOf(host.dtype))(0),
        shape.map((n, k) => (dims.includes(k) ? 0 : n)),
      );
    const kept = await upload(part, backend);
    keepPart(id, kept);
    return [[...part.shape], out ? kept.dtype : undefined];
  },
);

/** Options of {@link mapslices}. */
export interface MapslicesOptions {
  /** The 0-based axis or axes each slice spans. */
  dims: number | readonly number[];
}

/**
 * Applies `f` to every slice of `d` along `dims` (an NDArray of the slice on the host of the
 * slice's owner) and joins the results into a DArray, as Julia's mapslices: a number result makes
 * the slice axes extent 1.
 *
 * @example const rowSums = await mapslices((r) => r.data.reduce((a, b) => a + b, 0), d, { dims: 1 })
 */
export async function mapslices(f: SliceFn, d: DArray, options: MapslicesOptions): Promise<DArray> {
  if (typeof f !== 'function')
    throw new ArgumentError(`mapslices: expected a function of a slice, got ${describe(f)}`);
  if (!(d instanceof DArray)) throw new ArgumentError(`mapslices: expected a DArray, got ${describe(d)}`);
  checkOpen(d, 'mapslices');
  const raw = options?.dims;
  const dims = typeof raw === 'number' ? [raw] : raw;
  if (
    !Array.isArray(dims) ||
    dims.length === 0 ||
    !dims.every((k) => Number.isInteger(k) && k >= 0 && k < d.ndim) ||
    new Set(dims).size !== dims.length
  )
    throw new ArgumentError(
      `mapslices: dims must be distinct axes of 0..${d.ndim - 1}, got ${describe(raw)}`,
    );
  analyse(f, 'the function passed to mapslices');
  // Chunks must hold whole slices: split only the other axes.
  let src = d;
  let made: DArray | undefined;
  if (dims.some((k) => (d.layout.dist[k] as number) > 1)) {
    const other = d.shape.filter((_, k) => !dims.includes(k));
    const od = defaultDist(other, d.pids.length);
    let i = 0;
    const dist = d.shape.map((_, k) => (dims.includes(k) ? 1 : (od[i++] as number)));
    const layout: Layout = makeLayout(d.shape, d.pids, dist, 'mapslices');
    const maps = d.shape.map((n, k) => ({ axis: k, div: 1, shift: 0, mod: Math.max(n, 1) }));
    const id = sendGather(
      layout,
      d.dtype,
      [{ src: d, region: d.shape.map((n) => [0, n]), maps }],
      d.chunkBackend,
    );
    made = new DArray(id, d.dtype, layout, d.chunkBackend);
    src = made;
  }
  try {
    if (made) await whenBuilt(made);
    const id = newDArrayId();
    const ds = [...dims];
    const got = await makeParts(id, src.pids, (p) =>
      remotecallFetch(mapslicesHere, p, id, src, ds, f, src.chunkBackend),
    );
    const dtypes = new Set(got.map(([, dt]) => dt).filter((dt) => dt !== undefined));
    if (dtypes.size > 1) {
      await dropParts(id, src.pids);
      throw new ArgumentError(
        `mapslices: f returned different dtypes (${[...dtypes].join(', ')}); return one dtype`,
      );
    }
    const layout = await placeParts(
      id,
      src.layout.dist,
      src.pids,
      // A chunk without slices (0 along another axis) takes the slice axes' extents of the others.
      got.map(([s, dt]) => {
        const full = got.find(([, t]) => t !== undefined)?.[0];
        return dt === undefined && full ? s.map((n, k) => (ds.includes(k) ? (full[k] as number) : n)) : s;
      }),
      'mapslices',
    );
    const dtype = [...dtypes][0] ?? src.dtype;
    return new DArray(id, dtype, layout, src.chunkBackend);
  } finally {
    made?.close();
  }
}
