/**
 * DArray.init (Julia's `DArray(init, dims, procs, dist)`): the caller checks the options and sends
 * each owner the init function; each owner calls it for its chunk's box, checks what it returned
 * against the declared dtype and shape, and keeps it on the chunk backend.
 */
import { array } from '../src/array/create.js';
import { type DType, dtypeOfData } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { state } from '../src/cluster/state.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remoteDo } from '../src/remote/calls.js';
import { analyse, registerBuiltin } from '../src/remote/ship.js';
import { upload } from './chunk-backend.js';
import { type Box, boxShape, boxSize, chunkBox, type Layout, sameList } from './layout.js';
import { checkBackend, checkChunkDType, chunkDType, type InitOptions, planLayout } from './options.js';
import { newDArrayId, putChunk } from './store.js';

type Init = (box: Box) => unknown;

/** What DArray.init sent out: enough for the caller to make the handle. */
export interface SentInit {
  id: string;
  dtype: DType;
  layout: Layout;
  backend: string;
}

/**
 * The caller half: checks the arguments and sends each owner its command. DArray.init (darray.ts)
 * wraps the result in a handle.
 */
export function sendInit(init: Init, dims: readonly number[], opts: InitOptions = {}): SentInit {
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
  return { id, dtype: chunkDType(dtype, backend), layout, backend };
}

/**
 * The chunk an init function returned, checked against what the DArray declared. An NDArray or a
 * TypedArray must already have the declared dtype and the chunk's shape: converting it quietly
 * would round or truncate values the caller chose. Plain number arrays carry no dtype and are
 * stored as the declared one (flat row-major data, or nested to the chunk's shape).
 */
export function checkInitChunk(x: unknown, dtype: DType, box: Box): NDArray {
  const shape = boxShape(box);
  const where = `DArray.init: the init function returned, on worker ${state.myid} for the chunk [${box.map(([lo, hi]) => `${lo}:${hi}`).join(', ')}],`;
  const expected = `expected ${dtype} data of shape [${shape.join(', ')}] (${boxSize(box)} elements)`;
  const fix = `return e.g. zeros([${shape.join(', ')}], '${dtype}') filled in, or declare the DArray's dtype to match`;
  if (x instanceof NDArray) {
    if (x.dtype !== dtype || !sameList(x.shape, shape)) {
      throw new ArgumentError(
        `${where} ${x.dtype} data of shape [${x.shape.join(', ')}]; ${expected}; ${fix}`,
      );
    }
    return x;
  }
  if (x && typeof x === 'object' && 'backend' in x)
    throw new ArgumentError(
      `${where} a ${(x as AnyArray).backend} array; ${expected} on the host (an NDArray or numbers)`,
    );
  if (ArrayBuffer.isView(x)) {
    const own = dtypeOfData(x);
    const length = (x as { length?: number }).length;
    if (own !== dtype || length !== boxSize(box)) {
      throw new ArgumentError(`${where} ${describe(x)} of ${length} elements; ${expected}; ${fix}`);
    }
    return array(x, { dtype, shape });
  }
  if (!Array.isArray(x)) throw new ArgumentError(`${where} ${describe(x)}; ${expected}; ${fix}`);
  const nested = x.some((v) => Array.isArray(v));
  let out: NDArray;
  try {
    // Nested arrays must match the chunk's shape; a flat list is the chunk's data in row-major order.
    out = array(x as number[], nested ? { dtype } : { dtype, shape });
  } catch (err) {
    throw new ArgumentError(
      `${where} an array that cannot be read as numbers: ${(err as Error).message}; ${expected}`,
    );
  }
  if (!sameList(out.shape, shape))
    throw new ArgumentError(`${where} nested arrays of shape [${out.shape.join(', ')}]; ${expected}; ${fix}`);
  return out;
}
/** The owner half: builds this process's chunk from `init(box)`. */
export const initHere = registerBuiltin(
  'darrayInit',
  (id: string, box: Box, init: Init, dtype: DType, backend: string): void =>
    putChunk(
      id,
      box,
      (async () => {
        const chunk = checkInitChunk(await init(box), dtype, box);
        return upload(chunk, backend);
      })(),
    ),
);
