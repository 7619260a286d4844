/**
 * Making DArrays: distribute a host array (each owner gets its slice), or fill each chunk on its
 * owner (zeros, ones, a value, random numbers). Caller and owner halves together; DArray.init is
 * in init.ts.
 */
import { array, fill, ones, zeros } from '../src/array/create.js';
import type { DType } from '../src/array/dtype.js';
import { isNDArray, NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { randInto, randnInto } from '../src/array/random-op.js';
import { getKernel } from '../src/array/registry.js';
import { allocData } from '../src/array/storage.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remoteDo } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { upload } from './chunk-backend.js';
import { DArray } from './darray.js';
import { sliceBox } from './host-copy.js';
import { type Box, boxShape, chunkBox } from './layout.js';
import {
  checkBackend,
  checkChunkDType,
  chunkDType,
  type DistOptions,
  type InitOptions,
  planLayout,
} from './options.js';
import { newDArrayId, putChunk } from './store.js';

/** Moves received data into kernel-friendly storage (the shared WASM heap when large), once. */
function adopt(data: NDArray): NDArray {
  const copy = allocData(data.dtype, data.size, false);
  copy.set(data.data as never);
  return new NDArray(copy, data.shape);
}

/** The owner half of distribute: keeps the slice it was sent as its chunk. */
export const storeHere = registerBuiltin(
  'darrayStore',
  (id: string, box: Box, data: NDArray, backend: string): void =>
    putChunk(id, box, upload(backend === 'cpu' ? adopt(data) : data, backend)),
);

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

/**
 * Builds each chunk on its owner by calling `init(box)` there, where box holds the chunk's index
 * ranges [lo, hi) per dimension (Julia's `DArray(init, dims, procs, dist)`); the same as DArray.init.
 *
 * @example const d = await darrayInit((box) => zeros(box.map(([lo, hi]) => hi - lo)), [100, 100])
 */
export async function darrayInit(
  init: (box: [number, number][]) => unknown,
  dims: readonly number[],
  opts: InitOptions = {},
): Promise<DArray> {
  return DArray.init(init, dims, opts);
}

/** What each owner fills its chunk with; random kinds carry their seed and the whole array's dims. */
export type FillKind =
  | ['zeros']
  | ['ones']
  | ['fill', number]
  | ['rand', number, number[]]
  | ['randn', number, number[]];

/** The owner half of dzeros, dones, dfill, drand and drandn: makes this process's chunk. */
export const fillHere = registerBuiltin(
  'darrayFill',
  (id: string, box: Box, kind: FillKind, dtype: DType, backend: string): void => {
    const shape = boxShape(box);
    const make = (): NDArray => {
      switch (kind[0]) {
        case 'zeros':
          return zeros(shape, dtype);
        case 'ones':
          return ones(shape, dtype);
        case 'fill':
          return fill(shape, kind[1], dtype);
        default:
          throw new ArgumentError(`darrayFill: unknown kind ${describe(kind[0])}`);
      }
    };
    // Random chunks are made by the chunk backend's random kernel (on the device for webgpu), from
    // their elements' indices in the whole array, so the numbers do not depend on the layout.
    const made =
      kind[0] === 'rand' || kind[0] === 'randn'
        ? (async () =>
            getKernel('random', backend)(
              { normal: kind[0] === 'randn', seed: kind[1], within: { dims: kind[2], box } },
              { shape, dtype },
            ))()
        : (async () => upload(make(), backend))();
    putChunk(id, box, made);
  },
);

function filled(verb: string, kind: FillKind, dims: readonly number[], opts: InitOptions): DArray {
  const backend = checkBackend(verb, opts?.backend);
  const dtype = checkChunkDType(verb, opts?.dtype);
  const layout = planLayout(verb, dims, opts);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDo(fillHere, p, id, chunkBox(layout, c), kind, dtype, backend);
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
/**
 * A DArray of uniform random numbers in [0, 1); `seed` makes it reproducible, and gives the same
 * numbers as `rand(dims, { seed })` whatever the layout. Given a DArray instead of dims, refills it
 * in place on its owners (Julia's `rand!(dA)`) and resolves to it.
 *
 * @example const d = await drand([100, 100], { seed: 1 }); await drand(d, { seed: 2 });
 */
export async function drand(dims: readonly number[], opts?: InitOptions & { seed?: number }): Promise<DArray>;
export async function drand(D: DArray, opts?: { seed?: number }): Promise<DArray>;
export async function drand(
  dims: readonly number[] | DArray,
  opts: InitOptions & { seed?: number } = {},
): Promise<DArray> {
  if (dims instanceof DArray) return randInto(dims, { seed: opts?.seed });
  return filled('drand', ['rand', seedOf('drand', opts), [...dims]], dims, opts);
}
/** A DArray of standard normal random numbers; as {@link drand}, and `drandn(D)` refills D in place. */
export async function drandn(
  dims: readonly number[],
  opts?: InitOptions & { seed?: number },
): Promise<DArray>;
export async function drandn(D: DArray, opts?: { seed?: number }): Promise<DArray>;
export async function drandn(
  dims: readonly number[] | DArray,
  opts: InitOptions & { seed?: number } = {},
): Promise<DArray> {
  if (dims instanceof DArray) return randnInto(dims, { seed: opts?.seed });
  return filled('drandn', ['randn', seedOf('drandn', opts), [...dims]], dims, opts);
}
