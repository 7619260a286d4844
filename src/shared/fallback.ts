/**
 * Ops backend 'shared' has no kernel of its own for (indexing, shape, reductions along dims,
 * linear algebra… and any op added later) run the 'cpu' kernel over the SharedArrays' memory: the
 * elements are ordinary memory in this process, so only the result needs a home: the target of an
 * in-place op is returned as the SharedArray it is, and any other array result is copied into a
 * new SharedArray over the same pids (over this host's workers for ops that make an array from
 * nothing, such as `eye` or `rand` with `{ backend: 'shared' }`). A reshape of a SharedArray is
 * therefore a copy, not a second name for the same segment, whose close() would free the first.
 */
import { isNDArray, type NDArray } from '../array/ndarray.js';
import type { OpKernels, OpName } from '../array/protocol.js';
import { getKernel, hasKernel } from '../array/registry.js';
import { isSharedArray, SharedArray, sdata } from './shared-array.js';

type Kernel = (...args: unknown[]) => unknown;

/** The kernel of `op` for backend 'shared', built from the 'cpu' one; undefined if 'cpu' has none. */
export function sharedFallback<K extends OpName>(op: K): OpKernels[K] | undefined {
  if (!hasKernel(op, 'cpu')) return undefined;
  const kernel = async (...args: unknown[]) => {
    const views = new Map<NDArray, SharedArray>();
    let like: SharedArray | undefined;
    const unwrap = (x: unknown): unknown => {
      if (isSharedArray(x)) {
        like ??= x;
        const v = sdata(x);
        views.set(v, x);
        return v;
      }
      return Array.isArray(x) ? x.map(unwrap) : x;
    };
    const hostArgs = args.map(unwrap);
    const result = await (getKernel(op, 'cpu') as unknown as Kernel)(...hostArgs);
    const wrap = async (r: unknown): Promise<unknown> => {
      if (isNDArray(r)) {
        const same = views.get(r);
        if (same) return same;
        const S = like
          ? SharedArray.similar(like, r.dtype, r.shape)
          : await SharedArray.create(r.dtype, r.shape);
        S.data.set(r.data);
        return S;
      }
      return Array.isArray(r) ? Promise.all(r.map(wrap)) : r;
    };
    return wrap(result);
  };
  return kernel as unknown as OpKernels[K];
}
