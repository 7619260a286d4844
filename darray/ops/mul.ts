/**
 * Distributed matrix products by row blocks: each owner of a block of rows of the result reads
 * those rows of the matrix and the whole right-hand side, which it gathers straight from its
 * peers (an allgather when the vector is split like the rows), never through the master.
 */
import { isNDArray, type NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { mulHere } from '../chunk-ops.js';
import { DArray, newDArrayId } from '../darray.js';
import { chunkBox, makeLayout } from '../layout.js';
import { asDArray, firstDArray, opTag } from './shared.js';

export async function darrayMul(a: AnyArray, b: AnyArray, out: OutSpec): Promise<DArray> {
  const lead = firstDArray('mul', [a, b]);
  const A = await asDArray('mul', a, lead);
  const rowOwners = A.pids.filter((_, c) => chunkBox(A.layout, c)[1]?.[0] === 0);
  const layout = makeLayout(
    out.shape,
    rowOwners,
    out.shape.map((_, k) => (k === 0 ? rowOwners.length : 1)),
  );
  const B: DArray | NDArray = isNDArray(b) ? (b as NDArray) : await asDArray('mul', b, A);
  const id = newDArrayId();
  const tag = opTag('mul');
  layout.pids.forEach((p, c) => {
    remoteDoQueued(mulHere, p, id, chunkBox(layout, c), tag, [...layout.pids], A, B, A.chunkBackend);
  });
  // Operands distributed here only for this product are freed once it has read them.
  if (A !== a) A.close();
  if (B !== b && B instanceof DArray) B.close();
  return new DArray(id, out.dtype, layout, A.chunkBackend);
}
