/**
 * DArray: an array cut into chunks that live on worker processes (DistributedArrays.jl). The
 * handle holds only the id and the layout; each owner keeps its chunk as an NDArray or, with a GPU
 * backend, a GPUArray on its own device. Operations run where the chunks are.
 */

import { isScalarAllowed } from '../gpu/scalar.js';
import type { DType } from '../src/array/dtype.js';
import type { AnyArray } from '../src/array/protocol.js';
import { registerPiggyback } from '../src/cluster/connection.js';
import { state } from '../src/cluster/state.js';
import { registerWireType } from '../src/cluster/wire/codec.js';
import { ArgumentError } from '../src/errors.js';
import { remotecallFetch, remoteDo } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import {
  isSharedArray,
  type SharedArray,
  localindices as sharedLocalindices,
} from '../src/shared/shared-array.js';
import { sendInit } from './init.js';
import { type Box, boxes, chunkBox, type Layout } from './layout.js';
import type { InitOptions } from './options.js';
import { sliceHere } from './read.js';
import { chunkEntry, freeChunks, hasChunk } from './store.js';

/** The owner half of freeing: drops this process's chunks of the given DArrays. */
export const freeHere = registerBuiltin('darrayFree', (ids: string[]): void => freeChunks(ids));

/** Chunk frees waiting to ride on the next message to their owner, per owner. */
const pendingFrees = new Map<number, string[]>();
let flushTimer: NodeJS.Timeout | undefined;
const FLUSH_DELAY_MS = 20;

registerPiggyback(
  'df',
  (peer) => {
    const ids = pendingFrees.get(peer);
    if (!ids) return undefined;
    pendingFrees.delete(peer);
    return ids;
  },
  (ids) => freeChunks(ids as string[]),
);

function flushFrees(): void {
  flushTimer = undefined;
  for (const [p, ids] of pendingFrees) {
    pendingFrees.delete(p);
    if (state.gone.has(p)) continue;
    try {
      remoteDo(freeHere, p, ids);
    } catch {
      // The owner is gone; its chunks went with it.
    }
  }
}

/**
 * Frees the chunks of a DArray on its owners (close(), release() of temporaries, and the GC as a
 * safety net). The frees ride on the next command to each owner, or go on their own shortly after.
 */
function freeOn(pids: readonly number[], id: string): void {
  for (const p of new Set(pids)) {
    if (p === state.myid) {
      freeChunks([id]);
      continue;
    }
    if (state.gone.has(p)) continue;
    let list = pendingFrees.get(p);
    if (!list) pendingFrees.set(p, (list = []));
    list.push(id);
  }
  if (!flushTimer && pendingFrees.size > 0) {
    flushTimer = setTimeout(flushFrees, FLUSH_DELAY_MS);
    flushTimer.unref();
  }
}

const registry = new FinalizationRegistry<{ pids: readonly number[]; id: string }>(({ pids, id }) =>
  freeOn(pids, id),
);

/**
 * A handle to an array whose chunks live on workers (DistributedArrays.jl's DArray). It holds only
 * the id, dtype and layout; the chunks stay on their owners, and every op (`broadcast`, `sum`, `mul`,
 * `collect`…) runs where they are. Make one with `distribute`, `dzeros`/`drand`/… or `DArray.init`;
 * free its chunks with `close()` (or `using`), else the garbage collector frees them eventually.
 *
 * @example
 * const d = await drand([1000, 1000], { dist: [workers().length, 1] });
 * const y = await mul(d, await dones([1000])); // a distributed vector; each worker multiplies its rows
 * console.log(await sum(y), d.pids);
 * d.close();
 */
export class DArray implements AnyArray {
  /** The op registry dispatches DArrays to the distributed kernels. */
  readonly backend = 'darray';
  readonly shape: readonly number[];
  private closed = false;

  /**
   * Builds each chunk on its owner from `init(box)`, where box holds the chunk's index ranges
   * [lo, hi) per dimension (Julia's `DArray(init, dims, procs, dist)`; both halves in init.ts).
   *
   * @example const d = await DArray.init((box) => zeros(box.map(([lo, hi]) => hi - lo)), [100, 100])
   */
  static async init(
    init: (box: [number, number][]) => unknown,
    dims: readonly number[],
    opts: InitOptions = {},
  ): Promise<DArray> {
    const { id, dtype, layout, backend } = sendInit(init, dims, opts);
    return new DArray(id, dtype, layout, backend);
  }

  /**
   * @internal Use distribute, DArray.init, dzeros, dones, drand or dfill.
   * `owned`: this handle frees the chunks when closed or collected (copies sent elsewhere do not).
   */
  constructor(
    readonly id: string,
    readonly dtype: DType,
    readonly layout: Layout,
    /** Where each chunk lives on its worker: 'cpu' (NDArray) or a GPU backend (GPUArray). */
    readonly chunkBackend: string,
    owned = true,
  ) {
    this.shape = layout.dims;
    if (owned) registry.register(this, { pids: layout.pids, id }, this);
  }

  /** The global shape (the same as `shape`, Julia's name). */
  get dims(): readonly number[] {
    return this.layout.dims;
  }
  /** Owner of each chunk, row-major over the chunk grid. */
  get pids(): readonly number[] {
    return this.layout.pids;
  }
  /** Index ranges [lo, hi) per dimension of each chunk. */
  get indices(): Box[] {
    return boxes(this.layout);
  }
  /** Cut points per dimension. */
  get cuts(): readonly (readonly number[])[] {
    return this.layout.cuts;
  }
  /** Number of elements in the whole array. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** True after close(): the chunks are freed and every operation on this handle fails. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Frees the chunks on every owner. Using the DArray afterwards is an error. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    registry.unregister(this);
    freeOn(this.layout.pids, this.id);
  }

  /**
   * Reads one element: a round trip to its owner per call, so it needs allowScalar (the slow path
   * CUDA.jl guards the same way). Prefer collect() or an operation over the whole array.
   *
   * @example await allowScalar(() => dA.get(3, 4))
   */
  async get(...idx: number[]): Promise<number> {
    checkOpen(this, 'get');
    if (!isScalarAllowed()) {
      throw new Error(
        `DArray.get reads a single element from its worker (one network round trip per element); collect() the DArray, ` +
          'use a whole-array operation, or allow the slow path with allowScalar(true) or allowScalar(() => …)',
      );
    }
    if (
      idx.length !== this.ndim ||
      idx.some((v, k) => !Number.isInteger(v) || v < 0 || v >= (this.shape[k] as number))
    ) {
      throw new ArgumentError(
        `DArray.get: expected ${this.ndim} indices within [${this.shape.join(', ')}], got [${idx.join(', ')}]`,
      );
    }
    const box: Box = idx.map((v) => [v, v + 1]);
    const c = this.indices.findIndex((b) =>
      b.every(([lo, hi], k) => (idx[k] as number) >= lo && (idx[k] as number) < hi),
    );
    const piece = await remotecallFetch(sliceHere, this.pids[c] as number, this.id, box);
    return piece.data[0] as number;
  }

  /** The protocol's way to free a temporary: the same as close(). */
  dispose(): void {
    this.close();
  }

  /** Lets `using d = await drand(…)` close the DArray at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return `DArray(${this.id}, [${this.shape.join('×')}] ${this.dtype}, chunks on [${this.pids.join(', ')}], ${this.chunkBackend})`;
  }
}

/** Throws a clear error for a closed DArray. */
export function checkOpen(d: DArray, op: string): void {
  if (d.isClosed) throw new Error(`${op}: ${d} was closed; its chunks are gone`);
}

/**
 * The chunk of `d` held by this process (inside a worker), as an NDArray or GPUArray.
 *
 * @example await remotecallFetch((d) => localpart(d).then((a) => a.shape), 2, dA)
 */
export async function localpart(d: DArray): Promise<AnyArray> {
  if (!hasChunk(d.id)) {
    throw new Error(
      `localpart: process ${state.myid} holds no chunk of ${d}; its owners are [${d.pids.join(', ')}]`,
    );
  }
  return chunkEntry(d.id).array;
}

/**
 * For a DArray, the index ranges [lo, hi) of this process's chunk of `d`, or an empty list if it
 * holds none. For a SharedArray, `[[lo, hi]]`: this process's share of its linear indices.
 */
export function localindices(d: DArray): Box;
export function localindices(d: SharedArray): [[number, number]];
export function localindices(d: DArray | SharedArray): Box {
  if (isSharedArray(d)) return sharedLocalindices(d);
  const c = d.pids.indexOf(state.myid);
  return c < 0 ? [] : chunkBox(d.layout, c);
}

// A DArray crosses the wire as its id and layout only; the copy does not own the chunks.
registerWireType(
  21,
  DArray,
  (d: DArray) => [d.id, d.dtype, d.layout.dims, d.layout.dist, d.layout.cuts, d.layout.pids, d.chunkBackend],
  ([id, dtype, dims, dist, cuts, pids, cb]: [
    string,
    DType,
    number[],
    number[],
    number[][],
    number[],
    string,
  ]) => new DArray(id, dtype, { dims, dist, cuts, pids }, cb, false),
);
