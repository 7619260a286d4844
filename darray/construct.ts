/** Making DArrays: distribute a host array, or build each chunk on its owner. */
import { chunkBackends } from '../src/array/backend.js';
import { array } from '../src/array/create.js';
import { DTYPES, type DType, isDType } from '../src/array/dtype.js';
import { isNDArray, type NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { procs, workers } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remoteDo } from '../src/remote/calls.js';
import { analyse } from '../src/remote/ship.js';
import { sliceBox } from './box.js';
import { type FillKind, fillHere, initHere, storeHere } from './chunk-ops.js';
import { DArray, newDArrayId } from './darray.js';
import { chunkBox, type Layout, makeLayout } from './layout.js';

export interface DistOptions {
  /** Owners of the chunks (default: all workers). */
  procs?: readonly number[];
  /** Chunks per dimension (default: defaultDist). */
  dist?: readonly number[];
  /** Where each owner keeps its chunk: 'cpu' (default) or a GPU backend. */
  backend?: string;
}

function checkBackend(verb: string, backend: string | undefined): string {
  const b = backend ?? 'cpu';
  const names = chunkBackends();
  if (!names.includes(b)) {
    throw new ArgumentError(`${verb}: backend must be one of ${names.join(', ')}, got ${describe(backend)}`);
  }
  return b;
}

function checkChunkDType(verb: string, dtype: unknown): DType {
  if (dtype === undefined) return 'float64';
  if (!isDType(dtype)) {
    throw new ArgumentError(
      `${verb}: dtype must be one of ${DTYPES.join(', ')}, got ${describe(dtype)}; e.g. { dtype: 'float32' }`,
    );
  }
  return dtype;
}

/**
 * The layout for new chunks, checked here so that bad input fails on the caller before any
 * command goes out (a worker would otherwise fail later, far from the call).
 */
function planLayout(verb: string, dims: readonly number[], opts: DistOptions): Layout {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new ArgumentError(
      `${verb}: options must be an object such as { procs, dist, backend }, got ${describe(opts)}`,
    );
  }
  const known = procs();
  const pids = opts.procs ?? workers();
  if (Array.isArray(pids)) {
    const unknown = pids.filter((p) => Number.isInteger(p) && p >= 1 && !known.includes(p));
    if (unknown.length > 0) {
      throw new ArgumentError(
        `${verb}: procs must be ids of live processes, but ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among procs() = [${known.join(', ')}]`,
      );
    }
    const dup = pids.find((p, i) => pids.indexOf(p) !== i);
    if (dup !== undefined) {
      throw new ArgumentError(
        `${verb}: procs must not repeat a process (each owner holds one chunk), got ${dup} twice in [${pids.join(', ')}]`,
      );
    }
  }
  return makeLayout(dims, pids, opts.dist, verb);
}

/** GPU chunks hold float32 (as gpu() converts float64), so the DArray says so. */
const chunkDType = (dtype: DType, backend: string): DType =>
  backend !== 'cpu' && dtype === 'float64' ? 'float32' : dtype;

/**
 * Splits a host array across workers, sending each owner only its own slice.
 *
 * @example const dA = await distribute(rand([8192, 8192]), { procs: workers() })
 */
export async function distribute(
  A: AnyArray | NDArray | number[] | number[][],
  opts: DistOptions = {},
): Promise<DArray> {
  const backend = checkBackend('distribute', opts?.backend);
  let host: NDArray;
  if (isNDArray(A)) host = A;
  else if (Array.isArray(A)) host = array(A);
  else if (A && typeof A === 'object' && 'backend' in A) host = await collect(A);
  else throw new ArgumentError(`distribute: expected an array, got ${describe(A)}`);
  const layout = planLayout('distribute', host.shape, opts);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    const box = chunkBox(layout, c);
    remoteDo(storeHere, p, id, box, sliceBox(host, box), backend);
  });
  return new DArray(id, chunkDType(host.dtype, backend), layout, backend);
}

export interface InitOptions extends DistOptions {
  dtype?: DType;
}

/**
 * Builds each chunk on its owner by calling `init(box)` there, where box holds the chunk's index
 * ranges [lo, hi) per dimension (Julia's `DArray(init, dims, procs, dist)`).
 *
 * @example const d = await darrayInit((box) => zeros(box.map(([lo, hi]) => hi - lo)), [100, 100])
 */
export async function darrayInit(
  init: (box: [number, number][]) => unknown,
  dims: readonly number[],
  opts: InitOptions = {},
): Promise<DArray> {
  if (typeof init !== 'function') {
    throw new ArgumentError(
      `DArray.init: expected a function of the chunk's index ranges, got ${describe(init)}`,
    );
  }
  const backend = checkBackend('DArray.init', opts.backend);
  const dtype = checkChunkDType('DArray.init', opts.dtype);
  const layout = planLayout('DArray.init', dims, opts);
  analyse(init, 'the init function passed to DArray.init');
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDo(initHere, p, id, chunkBox(layout, c), init, dtype, backend);
  });
  return new DArray(id, chunkDType(dtype, backend), layout, backend);
}

function filled(verb: string, kind: FillKind, dims: readonly number[], opts: InitOptions): DArray {
  const backend = checkBackend(verb, opts?.backend);
  const dtype = checkChunkDType(verb, opts?.dtype);
  const layout = planLayout(verb, dims, opts);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    // Each chunk of a random DArray draws from its own seed, so chunks are independent streams.
    const k: FillKind = kind[0] === 'rand' || kind[0] === 'randn' ? [kind[0], kind[1] + c * 7919] : kind;
    remoteDo(fillHere, p, id, chunkBox(layout, c), k, dtype, backend);
  });
  return new DArray(id, chunkDType(dtype, backend), layout, backend);
}

function seedOf(verb: string, opts: { seed?: number } | undefined): number {
  const seed = opts?.seed;
  if (seed === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) {
    throw new ArgumentError(`${verb}: seed must be an integer, got ${describe(seed)}`);
  }
  return seed;
}

/** A DArray of zeros. */
export const dzeros = async (dims: readonly number[], opts: InitOptions = {}): Promise<DArray> =>
  filled('dzeros', ['zeros'], dims, opts);
/** A DArray of ones. */
export const dones = async (dims: readonly number[], opts: InitOptions = {}): Promise<DArray> =>
  filled('dones', ['ones'], dims, opts);
/** A DArray filled with `value`. */
export const dfill = async (
  dims: readonly number[],
  value: number,
  opts: InitOptions = {},
): Promise<DArray> => {
  if (typeof value !== 'number') {
    throw new ArgumentError(
      `dfill: the fill value must be a number, got ${describe(value)}; e.g. dfill([4, 4], 0.5)`,
    );
  }
  return filled('dfill', ['fill', value], dims, opts);
};
/** A DArray of uniform random numbers in [0, 1); `seed` makes it reproducible. */
export const drand = async (
  dims: readonly number[],
  opts: InitOptions & { seed?: number } = {},
): Promise<DArray> => filled('drand', ['rand', seedOf('drand', opts)], dims, opts);
/** A DArray of standard normal random numbers; `seed` makes it reproducible. */
export const drandn = async (
  dims: readonly number[],
  opts: InitOptions & { seed?: number } = {},
): Promise<DArray> => filled('drandn', ['randn', seedOf('drandn', opts)], dims, opts);

DArray.init = darrayInit;
