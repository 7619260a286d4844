/**
 * Distributed matrix products: which plan a product takes. By default row blocks (rows.ts): each
 * owner of a block of rows of the result reads those rows of the matrix and the whole right-hand
 * side. A matvec whose matrix is split by columns only takes the column-block plan (cols.ts), a
 * reduce-scatter of partial sums.
 */
import { isNDArray, type NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { DArray } from '../darray.js';
import { defaultCuts, type Layout, sameList } from '../layout.js';
import { asDArray, firstDArray } from '../operands.js';
import { sendColumnProducts } from './cols.js';
import { sendRowProducts } from './rows.js';

/** The 'darray' kernel of `mul`. */
export async function darrayMul(a: AnyArray, b: AnyArray, out: OutSpec): Promise<DArray> {
  const lead = firstDArray('mul', [a, b]);
  const A = await asDArray('mul', a, lead);
  const byColumns = columnSplit(A, b, out);
  if (byColumns) {
    const y = sendColumnProducts(A, b as DArray | NDArray, byColumns, out);
    if (A !== a) A.close();
    return y;
  }
  const B: DArray | NDArray = isNDArray(b) ? (b as NDArray) : await asDArray('mul', b, A);
  const y = sendRowProducts(A, B, out);
  // Operands distributed here only for this product are freed once it has read them.
  if (A !== a) A.close();
  if (B !== b && B instanceof DArray) B.close();
  return y;
}

/**
 * The result's layout when `A` is split by columns only (a grid of 1 × P) and `b` is a vector
 * split like those columns, or held on the host: each owner then multiplies its own columns and
 * the owners reduce-scatter the partial sums (cols.ts). The result is split like `b` when A is
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
