/**
 * Backend 'shared''s kernels for the ops that have no SharedArray-specific one (indexing, shape
 * ops, reductions along axes, the triangular and diagonal ops): each runs the 'cpu' kernel over
 * the host views of its SharedArray arguments, which are this process's own memory, so nothing is
 * copied in. An array result is copied into a new SharedArray over the pids of the first
 * SharedArray argument; setindex writes through the view, in place.
 */
import type { KernelTable } from '../array/backend.js';
import { NDArray } from '../array/ndarray.js';
import type { AnyArray, OpName, OutSpec } from '../array/protocol.js';
import type { RandomSpec } from '../array/random-op.js';
import { getKernel } from '../array/registry.js';
import { MissingKernelError } from '../errors.js';
import { isSharedArray, SharedArray, sdata } from './shared-array.js';

/** The ops run through the 'cpu' kernels (those that take at least one array to run on). */
const HOST_OPS = [
  'getindex',
  'setindex',
  'reshape',
  'permutedims',
  'circshift',
  'repeat',
  'cat',
  'band',
  'diag',
  'diagm',
  'kron',
  'cholesky',
  'solveTriangular',
  'reduceDims',
  'findExtrema',
  'similar',
] as const satisfies readonly OpName[];

function firstShared(x: unknown): SharedArray | undefined {
  if (isSharedArray(x)) return x;
  if (Array.isArray(x))
    for (const y of x) {
      const s = firstShared(y);
      if (s) return s;
    }
  return undefined;
}

const toHost = (x: unknown): unknown => (isSharedArray(x) ? sdata(x) : Array.isArray(x) ? x.map(toHost) : x);

function toShared(r: unknown, like: SharedArray): unknown {
  if (r instanceof NDArray) {
    const S = SharedArray.similar(like, r.dtype, r.shape);
    S.data.set(r.data);
    return S;
  }
  return Array.isArray(r) ? r.map((y) => toShared(y, like)) : r;
}

function overHost(op: (typeof HOST_OPS)[number]) {
  return async (...args: unknown[]): Promise<unknown> => {
    const like = firstShared(args);
    const cpu = getKernel(op, 'cpu') as (...a: unknown[]) => unknown;
    const r = await cpu(...args.map(toHost));
    return like ? toShared(r, like) : r;
  };
}

/**
 * randInto/randnInto on a SharedArray: the 'cpu' kernel refills its host view in place. A new
 * random array needs pids, which `{ backend: 'shared' }` does not give, so that form stays refused.
 */
async function randomShared(spec: RandomSpec, out: OutSpec): Promise<AnyArray> {
  const into = out.into;
  if (!isSharedArray(into)) throw new MissingKernelError('random', 'shared');
  await getKernel('random', 'cpu')(spec, { ...out, into: sdata(into) });
  return into;
}

/** The 'cpu'-backed kernels of backend 'shared', by op (see the file comment). */
export const sharedHostKernels = {
  ...Object.fromEntries(HOST_OPS.map((op) => [op, overHost(op)])),
  random: randomShared,
} as KernelTable;
