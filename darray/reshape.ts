/**
 * Distributed reshape (row-major): the result is laid out by default over the same owners; each owner
 * of a result chunk fetches, worker to worker, the source rows (along axis 0) that hold the flat
 * range its box covers, and picks its elements out on the host (then uploads them to a GPU chunk).
 */
import { ctorOf, type DType } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { stridesOf } from '../src/array/shape.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, boxShape, boxSize, chunkBox, makeLayout } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** The owner half: this process's chunk of the reshaped array. */
export const reshapeHere = registerBuiltin(
  'darrayReshape',
  (outId: string, box: Box, outDims: number[], a: DArray, dtype: DType, backend: string): void => {
    putChunk(
      outId,
      box,
      onBackend(backend, async () => {
        const out = new NDArray(new (ctorOf(dtype))(boxSize(box)), boxShape(box));
        if (out.size === 0) return upload(out, backend);
        const os = stridesOf(outDims);
        const flatOf = (idx: readonly number[]) => idx.reduce((f, i, k) => f + i * (os[k] as number), 0);
        const first = flatOf(box.map(([lo]) => lo));
        const last = flatOf(box.map(([, hi]) => hi - 1));
        // Whole rows of the source along axis 0 covering [first, last]: exact for row-block layouts.
        const row = a.shape.slice(1).reduce((x, y) => x * y, 1);
        const r0 = a.ndim === 0 ? 0 : Math.floor(first / row);
        const r1 = a.ndim === 0 ? 1 : Math.floor(last / row) + 1;
        const srcBox: Box = a.shape.map((n, k) => (k === 0 ? [r0, r1] : [0, n]));
        const got = await fetchBox(a, srcBox);
        const src = (got instanceof NDArray ? got : await collect(got)).data;
        const shape = boxShape(box);
        const idx = box.map(([lo]) => lo);
        for (let n = 0; n < out.size; n++) {
          out.data[n] = src[flatOf(idx) - r0 * row] as number;
          for (let k = shape.length - 1; k >= 0; k--) {
            idx[k] = (idx[k] as number) + 1;
            if ((idx[k] as number) < (box[k] as [number, number])[1]) break;
            idx[k] = (box[k] as [number, number])[0];
          }
        }
        return upload(out, backend);
      }),
    );
  },
);

/** The 'darray' kernel of `reshape`. */
export function darrayReshape(a: AnyArray, shape: readonly number[]): DArray {
  const A = firstDArray('reshape', [a]);
  const layout = makeLayout(shape, A.pids);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDoQueued(reshapeHere, p, id, chunkBox(layout, c), [...shape], A, A.dtype, A.chunkBackend);
  });
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}
