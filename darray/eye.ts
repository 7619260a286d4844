/** deye: a distributed identity matrix, each owner filling its own chunk. */
import { zeros } from '../src/array/create.js';
import type { DType } from '../src/array/dtype.js';
import { ArgumentError, describe } from '../src/errors.js';
import { remoteDo } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { upload } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, boxShape, chunkBox } from './layout.js';
import { checkBackend, checkChunkDType, chunkDType, type InitOptions, planLayout } from './options.js';
import { newDArrayId, putChunk } from './store.js';

/** The owner half: this process's chunk of the identity (its part of the diagonal, if any). */
export const eyeHere = registerBuiltin(
  'darrayEye',
  (id: string, box: Box, value: number, dtype: DType, backend: string): void => {
    const [[r0, r1], [c0, c1]] = box as [[number, number], [number, number]];
    const chunk = zeros(boxShape(box), dtype);
    const w = c1 - c0;
    for (let i = Math.max(r0, c0); i < Math.min(r1, c1); i++) chunk.data[(i - r0) * w + (i - c0)] = value;
    putChunk(id, box, upload(chunk, backend));
  },
);

/** Options of {@link deye}: where the chunks go, plus the shape and diagonal value of eye. */
export interface DEyeOptions extends InitOptions {
  /** Number of columns (default n). */
  m?: number;
  /** The diagonal value (default 1). */
  value?: number;
}

/**
 * The n×n identity (or n×m with `value` on the diagonal) as a DArray; `eye` makes NDArrays and
 * GPUArrays. Each owner writes its own chunk; nothing is sent but the command.
 *
 * @example const I = await deye(100, { procs: workers(), backend: 'webgpu' })
 */
export async function deye(n: number, opts: DEyeOptions = {}): Promise<DArray> {
  const m = opts.m ?? n;
  const value = opts.value ?? 1;
  if (typeof value !== 'number')
    throw new ArgumentError(`deye: value must be a number, got ${describe(value)}`);
  const backend = checkBackend('deye', opts.backend);
  const dtype = checkChunkDType('deye', opts.dtype);
  const layout = planLayout('deye', [n, m], opts);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDo(eyeHere, p, id, chunkBox(layout, c), value, dtype, backend);
  });
  return new DArray(id, chunkDType(dtype, backend), layout, backend);
}
