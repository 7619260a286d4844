/**
 * cholesky and solveTriangular on DArrays: both are sequential substitutions, so the operands are
 * gathered to the caller, solved there, and the result is distributed back over the same processes
 * (with the same chunks per dimension). Meant for the moderate matrices a caller can hold.
 */
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { choleskyHost, solveTriangularHost } from '../src/linalg/host.js';
import { distribute } from './construct.js';
import { DArray } from './darray.js';
import { firstDArray } from './operands.js';

/** The 'darray' kernel of `cholesky`: gathers A, factors it on the caller, distributes L like A. */
export async function darrayCholesky(a: AnyArray): Promise<DArray> {
  const A = firstDArray('cholesky', [a]);
  const L = choleskyHost(await collect(A));
  return distribute(L, { procs: A.pids, dist: [...A.layout.dist], backend: A.chunkBackend });
}

/** The 'darray' kernel of `solveTriangular`: gathers A and b, solves on the caller, distributes x like b. */
export async function darraySolveTriangular(a: AnyArray, b: AnyArray, lower: boolean): Promise<DArray> {
  const lead = firstDArray('solveTriangular', [a, b]);
  const x = solveTriangularHost(await collect(a), await collect(b), lower);
  const like = b instanceof DArray ? b : lead;
  const dist = b instanceof DArray ? [...b.layout.dist] : undefined;
  return distribute(x, { procs: like.pids, dist, backend: lead.chunkBackend });
}
