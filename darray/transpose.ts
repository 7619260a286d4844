/** Distributed transpose: each owner of a result chunk reads the mirrored box from its owners. */
import type { AnyArray } from '../../src/array/protocol.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { transposeHere } from '../chunk-ops.js';
import { DArray, newDArrayId } from '../darray.js';
import { chunkBox, makeLayout } from '../layout.js';
import { firstDArray } from './shared.js';

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
