/**
 * Distributed triu and tril (the `band` op): each owner masks its own chunk, shifting the band by
 * its chunk's offset from the diagonal; nothing moves and the result has the same layout.
 */
import type { AnyArray } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, chunkBox } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** The 'darray' kernel of `band`: the caller half. */
export function darrayBand(a: AnyArray, lo: number, hi: number): DArray {
  const A = firstDArray('band', [a]);
  const id = newDArrayId();
  A.pids.forEach((p, c) => {
    remoteDoQueued(bandHere, p, id, chunkBox(A.layout, c), A, lo, hi);
  });
  return new DArray(id, A.dtype, A.layout, A.chunkBackend);
}

/** The owner half: its chunk of the band, from its own chunk of A. */
export const bandHere = registerBuiltin(
  'darrayBand',
  (outId: string, box: Box, a: DArray, lo: number, hi: number): void => {
    const [[r0 = 0] = [], [c0 = 0] = []] = box;
    // Global j − i is the chunk's local j − i plus (c0 − r0).
    const shift = c0 - r0;
    putChunk(
      outId,
      box,
      onBackend(a.chunkBackend, async () =>
        getKernel('band', a.chunkBackend)(await fetchBox(a, box), lo - shift, hi - shift),
      ),
    );
  },
);
