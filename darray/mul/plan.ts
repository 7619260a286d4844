/**
 * Distributed matrix products by row blocks: each owner of a block of rows of the result reads
 * those rows of the matrix and the whole right-hand side, which it gathers straight from its
 * peers (an allgather when the vector is split like the rows), never through the master.
 */
import { isNDArray, type NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { mulColsHere, mulHere } from '../chunk-ops.js';
import { DArray, newDArrayId } from '../darray.js';
import { chunkBox, defaultCuts, type Layout, makeLayout, sameList } from '../layout.js';
import { asDArray, firstDArray, opTag } from './shared.js';

export async function darrayMul(a: AnyArray, b: AnyArray, out: OutSpec): Promise<DArray> {
  const lead = firstDArray('mul', [a, b]);
  const A = await asDArray('mul', a, lead);
  const byColumns = columnSplit(A, b, out);
  if (byColumns) {
    const y = sendColumnProducts(A, b as DArray | NDArray, byColumns, out);
    if (A !== a) A.close();
    return y;
  }
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
    remoteDoQueued(
      mulHere,
      p,
      id,
      chunkBox(layout, c),
      tag,
      [...layout.pids],
      A,
      B,
      A.chunkBackend,
      out.alpha ?? 1,
    );
  });
  // Operands distributed here only for this product are freed once it has read them.
  if (A !== a) A.close();
  if (B !== b && B instanceof DArray) B.close();
  return new DArray(id, out.dtype, layout, A.chunkBackend);
}

/**
 * The result's layout when `A` is split by columns only (a grid of 1 × P) and `b` is a vector
 * split like those columns, or held on the host: each owner then multiplies its own columns and
 * the owners reduce-scatter the partial sums (mul-cols.ts). The result is split like `b` when A is
 * square, so that powerMethod's next product finds its vector split like the columns again.
 */
function columnSplit(A: DArray, b: AnyArray, out: OutSpec): Layout | undefined {
  const { dist, cuts, pids } = A.layout;
  if (A.ndim !== 2 || out.shape.length !== 1 || dist[0] !== 1 || (dist[1] ?? 1) < 2) return undefined;
  const colCuts = cuts[1] as readonly number[];
  if (b instanceof DArray) {
    if (b.ndim !== 1 || !sameList(b.pids, pids) || !sameList(b.layout.cuts[0] as number[], colCuts))
      return undefined;
  } else if (!isNDArray(b) || b.ndim !== 1) return undefined;
  const m = out.shape[0] as number;
  const rowCuts = m === A.shape[1] ? [...colCuts] : defaultCuts(m, pids.length);
  return { dims: [m], dist: [pids.length], cuts: [rowCuts], pids: [...pids] };
}

/** Sends each owner its command of a column-block product (run by mulColsHere). */
function sendColumnProducts(A: DArray, b: DArray | NDArray, layout: Layout, out: OutSpec): DArray {
  const id = newDArrayId();
  const tag = opTag('mul');
  const cuts = layout.cuts[0] as number[];
  layout.pids.forEach((p, c) => {
    // A host vector: each owner gets only the slice its columns multiply.
    const [lo, hi] = chunkBox(A.layout, c)[1] as [number, number];
    const piece = b instanceof DArray ? b : b.rows(lo, hi);
    remoteDoQueued(
      mulColsHere,
      p,
      id,
      chunkBox(layout, c),
      tag,
      [...layout.pids],
      cuts,
      A,
      piece,
      A.chunkBackend,
      out.alpha ?? 1,
    );
  });
  return new DArray(id, out.dtype, layout, A.chunkBackend);
}
