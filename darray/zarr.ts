/**
 * DArrays to and from Zarr stores on a shared filesystem, through zarrita. The caller writes or
 * reads only the array metadata; each worker writes and reads its own chunks, so no element passes
 * through the caller.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Zarrita from 'zarrita';
import { DTYPES, type DType, type TypedArray } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import { allocData } from '../src/array/storage.js';
import { workers } from '../src/cluster/state.js';
import { ArgumentError, describe, FileFormatError } from '../src/errors.js';
import { npyDescr } from '../src/io/npy.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { checkOpen, DArray } from './darray.js';
import { type Box, boxSize, chunkBox, defaultCuts, defaultDist, type Layout } from './layout.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/**
 * Options of {@link toZarr}.
 *
 * @example await toZarr(dA, '/data/a.zarr', { zarrFormat: 3, overwrite: true })
 */
export interface ToZarrOptions {
  /**
   * Zarr format version to write: 2 (default; read by zarr-python 2 and 3, dask and zarrita) or
   * 3 (zarr-python 3 and zarrita only).
   */
  zarrFormat?: 2 | 3;
  /** Replace an existing Zarr array at `path` (default false: an existing store is an error). */
  overwrite?: boolean;
}

/**
 * Options of {@link fromZarr}.
 *
 * @example const dA = await fromZarr('/data/a.zarr', { procs: [2, 3] })
 */
export interface FromZarrOptions {
  /** Owners of the chunks (default: all workers). */
  procs?: readonly number[];
}

// zarrita is loaded on first use, so processes that never touch Zarr do not pay for it.
type ZarrModule = typeof Zarrita;
type FsStore = import('@zarrita/storage/fs').default;
let zarrModules: Promise<{ zarr: ZarrModule; Store: new (root: string) => FsStore }> | undefined;
function zarrita(): Promise<{ zarr: ZarrModule; Store: new (root: string) => FsStore }> {
  zarrModules ??= Promise.all([import('zarrita'), import('@zarrita/storage/fs')]).then(([zarr, fs]) => ({
    zarr,
    Store: fs.default,
  }));
  return zarrModules;
}

const METADATA_FILES = ['.zarray', 'zarr.json'];

/** The Zarr chunk shape for a DArray: its largest chunk's extent in each dimension (at least 1). */
function zarrChunkShape(layout: Layout): number[] {
  return layout.cuts.map((cuts) => {
    let most = 1;
    for (let k = 1; k < cuts.length; k++)
      most = Math.max(most, (cuts[k] as number) - (cuts[k - 1] as number));
    return most;
  });
}

/**
 * Which worker writes each Zarr chunk: the DArray chunk at the same grid position, which holds
 * most or all of it (there are never more Zarr chunks along a dimension than DArray chunks).
 */
function zarrWriters(layout: Layout, chunkShape: readonly number[]): Map<number, Box[]> {
  const grid = layout.dims.map((n, k) => Math.ceil(n / (chunkShape[k] as number)));
  const count = grid.reduce((a, b) => a * b, 1);
  const jobs = new Map<number, Box[]>();
  for (let z = 0; z < count; z++) {
    const coords: number[] = [];
    let rem = z;
    for (let k = grid.length - 1; k >= 0; k--) {
      coords[k] = rem % (grid[k] as number);
      rem = Math.floor(rem / (grid[k] as number));
    }
    let c = 0;
    for (let k = 0; k < coords.length; k++) c = c * (layout.dist[k] as number) + (coords[k] as number);
    const pid = layout.pids[c] as number;
    const box: Box = coords.map((i, k) => {
      const size = chunkShape[k] as number;
      return [i * size, Math.min((i + 1) * size, layout.dims[k] as number)];
    });
    const list = jobs.get(pid) ?? [];
    list.push(box);
    jobs.set(pid, list);
  }
  return jobs;
}

/** Writes the array metadata (the caller's only part of toZarr). */
async function writeMetadata(path: string, d: DArray, chunkShape: number[], format: 2 | 3): Promise<void> {
  await mkdir(path, { recursive: true });
  if (format === 2) {
    const meta = {
      zarr_format: 2,
      shape: d.shape,
      chunks: chunkShape,
      dtype: npyDescr(d.dtype),
      compressor: null,
      fill_value: 0,
      order: 'C',
      filters: null,
      dimension_separator: '.',
    };
    await writeFile(join(path, '.zarray'), JSON.stringify(meta, null, 2));
    return;
  }
  const { zarr, Store } = await zarrita();
  await zarr.create(new Store(path), {
    shape: [...d.shape],
    chunkShape,
    dtype: d.dtype,
    codecs: [{ name: 'bytes', configuration: { endian: 'little' } }],
    fillValue: 0,
  });
}

/** @internal Owner side of toZarr: gathers each of its Zarr chunks' boxes (local when they match) and writes them. */
export const zarrWriteHere = registerBuiltin(
  'darrayZarrWrite',
  async (d: DArray, path: string, jobs: Box[]): Promise<void> => {
    const { zarr, Store } = await zarrita();
    const arr = await zarr.open(new Store(path), { kind: 'array' });
    for (const box of jobs) {
      const piece = await fetchBox(d, box);
      const host = piece instanceof NDArray ? piece : await collect(piece);
      if (box.length === 0) {
        // A 0-d array is written as its one value; zarrita refuses a chunk object for it.
        await zarr.set(arr, null, host.data[0] as never);
        continue;
      }
      const stride = host.shape.map((_, k) => host.shape.slice(k + 1).reduce((a, b) => a * b, 1));
      const chunk = { data: host.data, shape: [...host.shape], stride };
      await zarr.set(
        arr,
        box.map(([lo, hi]) => zarr.slice(lo, hi)),
        chunk as never,
      );
    }
  },
);

/**
 * Writes a DArray to a Zarr array at `path` (a directory every worker can reach, e.g. on the same
 * machine or a shared filesystem). The caller writes only the metadata; each worker writes its
 * own chunk. One Zarr chunk per DArray chunk: the Zarr chunk shape is the DArray's chunk shape.
 * When the DArray's cuts are not a regular grid (e.g. 7 rows over 2 workers gives 3 + 4), the Zarr
 * chunks take the largest chunk's extent and each worker fetches the few rows it lacks straight
 * from its neighbour. Chunks are stored uncompressed, little-endian, C order. If a worker fails
 * part way, the error is thrown and the store may hold only some of the chunks: write it again.
 *
 * @example
 * const dA = await drand([1000, 1000]);
 * await toZarr(dA, '/data/a.zarr');
 * // python: dask.array.from_zarr('/data/a.zarr').sum().compute()
 */
export async function toZarr(dA: DArray, path: string, opts: ToZarrOptions = {}): Promise<void> {
  if (!(dA instanceof DArray)) throw new ArgumentError(`toZarr: expected a DArray, got ${describe(dA)}`);
  checkOpen(dA, 'toZarr');
  checkPath('toZarr', path);
  const format = opts.zarrFormat ?? 2;
  if (format !== 2 && format !== 3)
    throw new ArgumentError(`toZarr: zarrFormat must be 2 or 3, got ${describe(opts.zarrFormat)}`);
  if (existsSync(path) && !statSync(path).isDirectory())
    throw new ArgumentError(`toZarr: ${path} is a file; a Zarr array is a directory, choose another path`);
  if (existsSync(path) && readdirSync(path).length > 0) {
    const isZarr = METADATA_FILES.some((f) => existsSync(join(path, f)));
    if (!isZarr)
      throw new ArgumentError(
        `toZarr: ${path} exists and is not an empty directory or a Zarr array; choose another path`,
      );
    if (!opts.overwrite)
      throw new ArgumentError(
        `toZarr: ${path} already holds a Zarr array; pass { overwrite: true } to replace it`,
      );
    // Old chunks of another grid would otherwise be read back as part of the new array.
    await rm(path, { recursive: true });
  }
  const chunkShape = zarrChunkShape(dA.layout);
  await writeMetadata(path, dA, chunkShape, format);
  const jobs = zarrWriters(dA.layout, chunkShape);
  await Promise.all([...jobs].map(([pid, boxes]) => remotecallFetch(zarrWriteHere, pid, dA, path, boxes)));
}

function checkPath(fn: string, path: unknown): void {
  if (typeof path !== 'string' || path === '')
    throw new ArgumentError(`${fn}: expected a directory path string, got ${describe(path)}`);
}

/** @internal Owner side of fromZarr: reads the whole Zarr chunks in its box and keeps them as chunk `id`, only once all are read. */
export const zarrReadHere = registerBuiltin(
  'darrayZarrRead',
  async (id: string, path: string, box: Box, dtype: DType): Promise<void> => {
    const { zarr, Store } = await zarrita();
    const arr = await zarr.open(new Store(path), { kind: 'array' });
    const shape = box.map(([lo, hi]) => hi - lo);
    const out = new NDArray(allocData(dtype, boxSize(box), false), shape);
    const chunkShape = arr.chunks;
    const chunkSize = chunkShape.reduce((a, b) => a * b, 1);
    // The box starts on a chunk boundary in every dimension (see layoutFor), so it holds whole chunks.
    const first = box.map(([lo], k) => lo / (chunkShape[k] as number));
    const counts = box.map(([lo, hi], k) => Math.ceil((hi - lo) / (chunkShape[k] as number)));
    const total = counts.reduce((a, b) => a * b, 1);
    for (let n = 0; n < total; n++) {
      const local: number[] = [];
      let rem = n;
      for (let k = counts.length - 1; k >= 0; k--) {
        local[k] = rem % (counts[k] as number);
        rem = Math.floor(rem / (counts[k] as number));
      }
      const coords = local.map((i, k) => i + (first[k] as number));
      const chunk = (await arr.getChunk(coords)) as { data: TypedArray; stride: number[] };
      // zarrita decodes a truncated uncompressed chunk into a short array without complaint.
      if (chunk.data.length !== chunkSize)
        throw new FileFormatError(
          `fromZarr: chunk [${coords.join(', ')}] of ${path} holds ${chunk.data.length} elements, expected ` +
            `${chunkSize} (${chunkShape.join('×')}); the chunk file is truncated or corrupt`,
        );
      const at = local.map((i, k) => i * (chunkShape[k] as number));
      const region = at.map((a, k) => Math.min(chunkShape[k] as number, (shape[k] as number) - a));
      copyStrided(chunk.data, chunk.stride, region, out, at);
    }
    putChunk(id, box, out);
  },
);

/** Copies the leading `region` of a strided chunk into row-major `out` at index `at`. */
function copyStrided(
  src: TypedArray,
  stride: readonly number[],
  region: readonly number[],
  out: NDArray,
  at: readonly number[],
): void {
  const nd = region.length;
  const dst = out.data as TypedArray;
  if (nd === 0) {
    dst[0] = src[0] as number;
    return;
  }
  if (region.some((r) => r <= 0)) return;
  const outStride = out.shape.map((_, k) => out.shape.slice(k + 1).reduce((a, b) => a * b, 1));
  const run = region[nd - 1] as number;
  const inner = stride[nd - 1] as number;
  const idx = new Array<number>(nd - 1).fill(0);
  for (;;) {
    let s = 0;
    let d = at[nd - 1] as number;
    for (let k = 0; k < nd - 1; k++) {
      s += (idx[k] as number) * (stride[k] as number);
      d += ((at[k] as number) + (idx[k] as number)) * (outStride[k] as number);
    }
    if (inner === 1) dst.set(src.subarray(s, s + run) as never, d);
    else for (let j = 0; j < run; j++) dst[d + j] = src[s + j * inner] as number;
    let k = nd - 2;
    for (; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (region[k] as number)) break;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

/**
 * The DArray layout for a Zarr array: whole Zarr chunks per DArray chunk, spread over `procs` as
 * the default distribution spreads rows, so each owner reads only whole chunks of its own.
 */
function layoutFor(shape: readonly number[], chunks: readonly number[], procs: readonly number[]): Layout {
  const grid = shape.map((n, k) => Math.max(1, Math.ceil(n / (chunks[k] as number))));
  const dist = defaultDist(grid, procs.length);
  const cuts = shape.map((n, k) =>
    defaultCuts(grid[k] as number, dist[k] as number).map((g) => Math.min(n, g * (chunks[k] as number))),
  );
  const nchunks = dist.reduce((a, b) => a * b, 1);
  return { dims: [...shape], dist, cuts, pids: procs.slice(0, nchunks) };
}

/**
 * Reads a Zarr array (format 2 or 3, any codec zarrita reads) into a DArray over `procs`. The
 * caller reads only the metadata; each worker reads its own chunks. Each DArray chunk is a block
 * of whole Zarr chunks. A missing or unreadable store, or a dtype darray lacks, is a
 * FileFormatError; if any worker fails, the chunks already read are freed and the error is thrown.
 *
 * @example
 * // python: zarr.save_array('/data/b.zarr', numpy.ones((100, 100)), chunks=(50, 100))
 * const dB = await fromZarr('/data/b.zarr', { procs: workers() });
 */
export async function fromZarr(path: string, opts: FromZarrOptions = {}): Promise<DArray> {
  checkPath('fromZarr', path);
  const procs = opts.procs ?? workers();
  if (!Array.isArray(procs) || procs.length === 0 || !procs.every((p) => Number.isInteger(p) && p >= 1))
    throw new ArgumentError(
      `fromZarr: procs must be a non-empty array of process ids, got ${describe(procs)}`,
    );
  const { zarr, Store } = await zarrita();
  let arr: Zarrita.Array<Zarrita.DataType, FsStore>;
  try {
    arr = await zarr.open(new Store(path), { kind: 'array' });
  } catch (e) {
    throw new FileFormatError(
      `fromZarr: expected a Zarr array (format 2 or 3) at ${path}, but opening it failed: ${(e as Error).message}`,
    );
  }
  const dtype = DTYPES.find((d) => d === arr.dtype);
  if (!dtype)
    throw new FileFormatError(
      `fromZarr: ${path} holds ${arr.dtype} elements; darray reads ${DTYPES.join(', ')}. Convert it first, e.g. in Python with zarr.array(a[:].astype('float64'))`,
    );
  const layout = layoutFor(arr.shape, arr.chunks, procs);
  const d = new DArray(newDArrayId(), dtype, layout, 'cpu');
  const reads = layout.pids.map((p, c) =>
    remotecallFetch(zarrReadHere, p, d.id, path, chunkBox(layout, c), dtype),
  );
  const results = await Promise.allSettled(reads);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    d.close();
    const why = failed.reason as Error;
    throw new FileFormatError(`fromZarr: reading the chunks of ${path} failed: ${why.message}`, {
      cause: why,
    });
  }
  return d;
}
