/**
 * Distributed transpose: each owner of a result chunk reads the mirrored box from its owners and
 * transposes it with the chunk backend's `transpose`.
 */
import { transpose } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, onChunkBackend } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, chunkBox, makeLayout } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** The 'darray' kernel of `transpose`: the caller half. */
export function darrayTranspose(a: AnyArray): DArray {
  const A = firstDArray('transpose', [a]);
  const dims = A.ndim === 1 ? [1, A.shape[0] as number] : [A.shape[1] as number, A.shape[0] as number];
  const layout = makeLayout(dims, A.pids);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDoQueued(transposeHere, p, id, chunkBox(layout, c), A, A.chunkBackend);
  });
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}

/** The owner half: this process's chunk of the transpose. */
export const transposeHere = registerBuiltin(
  'darrayTranspose',
  (outId: string, outBox: Box, a: DArray, backend: string): void => {
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        // A vector becomes a 1×n matrix: its box is the second range of the output box.
        const src = await fetchBox(a, a.ndim === 1 ? [outBox[1] as [number, number]] : [...outBox].reverse());
        return transpose(await onChunkBackend(src, backend));
      }),
    );
  },
);
