/**
 * The op kernels of backend 'shared'. A SharedArray's elements are ordinary memory in every
 * process, so each op runs the 'cpu' kernel over `sdata` views; results are SharedArrays over the
 * same pids. Large products and broadcasts are split over the pids by rows or by localindices, each
 * process writing its own part of the result in place (the memory is shared, so nothing is sent back).
 */
import type { Lambda } from '../array/ir/types.js';
import { NDArray } from '../array/ndarray.js';
import type { AnyArray, ColumnBlock, Operand, OutSpec, Reducer } from '../array/protocol.js';
import { getKernel } from '../array/registry.js';
import { sameShape } from '../array/shape.js';
import { myid } from '../cluster/state.js';
import { remotecallFetch } from '../remote/calls.js';
import { registerBuiltin } from '../remote/ship.js';
import { isSharedArray, localindices, SharedArray, sdata } from './shared-array.js';
import { splitRange } from './split.js';

/** Broadcasts of at least this many elements are split over the pids. */
export const BROADCAST_SPLIT = 1 << 18;
/** Products of a matrix of at least this many elements are split over the pids. */
export const MUL_SPLIT = 1 << 16;

/** The host view of an operand: an NDArray over a SharedArray's memory, anything else as it is. */
function host<T>(x: T): T | NDArray {
  return isSharedArray(x) ? sdata(x) : x;
}

/** A 1-d NDArray over elements [lo, hi) of a SharedArray. */
function span(S: SharedArray, lo: number, hi: number): NDArray {
  return new NDArray(S.data.subarray(lo, hi), [hi - lo]);
}

/** Whether work on `S` is worth sending to its pids: more than one process shares it. */
function splits(S: SharedArray): boolean {
  return S.pids.length > 1;
}

/** A SharedArray holding `a` (a kernel's host result), over the pids of `like`. */
function toShared(a: NDArray, like: SharedArray): SharedArray {
  const S = SharedArray.similar(like, a.dtype, a.shape);
  S.data.set(a.data);
  return S;
}

// On each pid: its localindices of `out`, over the same elements of every (same-shape) argument.
const broadcastPart = registerBuiltin(
  'shared.broadcastPart',
  async (lambda: Lambda, args: readonly Operand[], out: SharedArray) => {
    const [[lo, hi]] = localindices(out);
    if (hi <= lo) return;
    const parts = args.map((a) => (typeof a === 'number' ? a : span(a as SharedArray, lo, hi)));
    await getKernel('broadcast', 'cpu')(lambda, parts, {
      shape: [hi - lo],
      dtype: out.dtype,
      into: span(out, lo, hi),
    });
  },
);

async function broadcastShared(lambda: Lambda, args: readonly Operand[], out: OutSpec): Promise<AnyArray> {
  const first = [out.into, ...args].find(isSharedArray) as SharedArray;
  const into = out.into;
  const target = into ?? SharedArray.similar(first, out.dtype, out.shape);
  const sameShaped = args.every(
    (a) => typeof a === 'number' || (isSharedArray(a) && sameShape(a.shape, out.shape)),
  );
  if (isSharedArray(target) && splits(target) && target.size >= BROADCAST_SPLIT && sameShaped) {
    await Promise.all(target.pids.map((p) => remotecallFetch(broadcastPart, p, lambda, args, target)));
    return target;
  }
  await getKernel('broadcast', 'cpu')(lambda, args.map(host), { ...out, into: host(target) as NDArray });
  return target;
}

// On each pid: its share of the rows of a·b, written into the same rows of y.
const mulPart = registerBuiltin(
  'shared.mulPart',
  async (a: SharedArray, b: NDArray | SharedArray, y: SharedArray, alpha: number | undefined) => {
    const [m = 0, k = 0] = a.shape;
    const n = b.shape.length === 2 ? (b.shape[1] ?? 1) : 1;
    const [lo, hi] = rowsOf(y, m);
    if (hi <= lo) return;
    const rows = new NDArray(a.data.subarray(lo * k, hi * k), [hi - lo, k]);
    const shape = b.shape.length === 2 ? [hi - lo, n] : [hi - lo];
    const r = (await getKernel('mul', 'cpu')(rows, host(b), { shape, dtype: y.dtype, alpha })) as NDArray;
    y.data.set(r.data, lo * n);
  },
);

/** The rows [lo, hi) of an m-row result this process computes. */
function rowsOf(y: SharedArray, m: number): [number, number] {
  const idx = y.pids.indexOf(myid());
  return splitRange(m, y.pids.length, idx);
}

async function mulShared(a: AnyArray, b: AnyArray, out: OutSpec): Promise<AnyArray> {
  const like = (isSharedArray(a) ? a : b) as SharedArray;
  const canSplit =
    isSharedArray(a) && splits(a) && a.size >= MUL_SPLIT && a.dtype === out.dtype && b.dtype === out.dtype;
  if (canSplit) {
    const y = SharedArray.similar(a, out.dtype, out.shape);
    await Promise.all(a.pids.map((p) => remotecallFetch(mulPart, p, a, b as NDArray, y, out.alpha)));
    return y;
  }
  const r = (await getKernel('mul', 'cpu')(host(a) as NDArray, host(b) as NDArray, out)) as NDArray;
  return toShared(r, like);
}

/** The kernels of backend 'shared', by op. */
export const sharedKernels = {
  broadcast: broadcastShared,
  mul: mulShared,
  mapreduce: (map: Lambda | null, reducer: Reducer, x: AnyArray, init: number | undefined) =>
    getKernel('mapreduce', 'cpu')(map, reducer, host(x) as NDArray, init),
  norm: (x: AnyArray, p: number) => getKernel('norm', 'cpu')(host(x) as NDArray, p),
  dot: (x: AnyArray, y: AnyArray) => getKernel('dot', 'cpu')(host(x) as NDArray, host(y) as NDArray),
  transpose: async (a: AnyArray) =>
    toShared((await getKernel('transpose', 'cpu')(host(a) as NDArray)) as NDArray, a as SharedArray),
  collect: (x: AnyArray) => {
    const h = host(x) as NDArray;
    return new NDArray(h.data.slice(), h.shape);
  },
  matvecBlock: (a: AnyArray, x: AnyArray, y: AnyArray, block: ColumnBlock) =>
    getKernel('matvecBlock', 'cpu')(host(a) as NDArray, host(x) as NDArray, host(y) as NDArray, block),
};
