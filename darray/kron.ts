/**
 * Distributed kron: the result's rows are split over the DArray operand's processes; each owner
 * fetches the block of A its rows and columns come from and the rows of B they use, and builds its
 * block on the host (then moves it onto the chunk backend). A host operand travels with the command.
 */
import { empty } from '../src/array/create.js';
import { resultDType } from '../src/array/dtype.js';
import type { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { rowsCols } from '../src/linalg/host.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, boxShape, chunkBox, makeLayout } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** The 'darray' kernel of `kron`: the caller half. */
export function darrayKron(a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): DArray {
  const lead = firstDArray('kron', [a, b]);
  const layout = makeLayout(out.shape, lead.pids);
  const dtype = resultDType([a.dtype, b.dtype]);
  const id = newDArrayId();
  // backendOf let only DArrays and host arrays through.
  const [A, B] = [a, b] as (DArray | NDArray)[] as [DArray | NDArray, DArray | NDArray];
  layout.pids.forEach((p, c) => {
    remoteDoQueued(kronHere, p, id, chunkBox(layout, c), A, B, dtype, lead.chunkBackend);
  });
  return new DArray(id, dtype, layout, lead.chunkBackend);
}

/** Rows [r0, r1) and columns [c0, c1) of x (a vector as a column), as a 2-d host array. */
async function block(
  x: DArray | NDArray,
  [r0, r1]: [number, number],
  [c0, c1]: [number, number],
): Promise<NDArray> {
  if (x instanceof DArray) {
    const box: Box =
      x.ndim === 1
        ? [[r0, r1]]
        : [
            [r0, r1],
            [c0, c1],
          ];
    return (await collect(await fetchBox(x, box))).reshape([r1 - r0, c1 - c0]);
  }
  const [, n] = rowsCols(x.shape);
  const out = empty([r1 - r0, c1 - c0], x.dtype);
  for (let i = r0; i < r1; i++) out.data.set(x.data.subarray(i * n + c0, i * n + c1), (i - r0) * (c1 - c0));
  return out;
}

/** The owner half: its block of kron(a, b). */
export const kronHere = registerBuiltin(
  'darrayKron',
  (
    outId: string,
    box: Box,
    a: DArray | NDArray,
    b: DArray | NDArray,
    dtype: NDArray['dtype'],
    backend: string,
  ): void => {
    putChunk(
      outId,
      box,
      onBackend(backend, async () => {
        const [m, n] = rowsCols(a.shape);
        const [p, q] = rowsCols(b.shape);
        const [R0, R1] = box[0] ?? [0, 0];
        const [C0, C1] = box[1] ?? [0, 1];
        const out = empty(boxShape(box), dtype);
        if (out.size > 0) {
          const ar: [number, number] = [Math.floor(R0 / p), Math.min(m, Math.ceil(R1 / p))];
          const ac: [number, number] = [Math.floor(C0 / q), Math.min(n, Math.ceil(C1 / q))];
          const A = await block(a, ar, ac);
          const B = await block(b, [0, p], [0, q]);
          const w = ac[1] - ac[0];
          for (let R = R0; R < R1; R++)
            for (let C = C0; C < C1; C++) {
              const i = Math.floor(R / p);
              const j = Math.floor(C / q);
              out.data[(R - R0) * (C1 - C0) + C - C0] =
                (A.data[(i - ar[0]) * w + j - ac[0]] as number) *
                (B.data[(R - i * p) * q + C - j * q] as number);
            }
        }
        return upload(out, backend);
      }),
    );
  },
);
