/**
 * Distributed reductions along dims (sum, prod, min, max, mapreduce with `dims`; findmax, findmin
 * and what is built on them). The result is a DArray whose chunk grid is the input's with the
 * reduced dimensions collapsed to one block. Each owner reduces its own chunk along `dims` with its
 * chunk backend's kernel; the chunks that share an output block send their partials (host arrays
 * of the reduced size) worker to worker to that block's owner, the owner of the group's first
 * chunk, which combines them and keeps the result as its chunk. Nothing passes through the master.
 */
import { ctorOf, type DType } from '../src/array/dtype.js';
import { applyStep, emptyResult, planReduce } from '../src/array/ir/reduce-plan.js';
import type { Lambda } from '../src/array/ir/types.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect, mapreduce } from '../src/array/ops.js';
import type { AnyArray, Reducer } from '../src/array/protocol.js';
import { reducedShape, stridesOf } from '../src/array/reduce-dims.js';
import { getKernel } from '../src/array/registry.js';
import { state } from '../src/cluster/state.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { receiveFrom, sendTo } from './collectives.js';
import { DArray } from './darray.js';
import { type Box, boxShape, chunkCoords, type Layout } from './layout.js';
import { firstDArray, opTag } from './operands.js';
import { chunkEntry, newDArrayId, putChunk, running } from './store.js';

/** What is folded along the dims: a mapreduce, or a search for the extreme and its index. */
export type AlongSpec =
  | { kind: 'reduce'; map: Lambda | null; reducer: Reducer; init: number | undefined }
  | { kind: 'find'; which: 'max' | 'min' };

/** A chunk's partial: host arrays of its reduced box (values, and indices for a search); undefined when empty. */
type Partial = NDArray[] | undefined | { error: string };

/** The command one input chunk's owner gets. */
interface AlongTask {
  tag: string;
  a: DArray;
  dims: number[];
  spec: AlongSpec;
  outIds: string[];
  outDTypes: DType[];
  outBox: Box;
  /** The owner of the output block, which also owns the group's first chunk. */
  root: number;
  /** The other owners in the group, in chunk order (only the root waits for them). */
  peers: number[];
  backend: string;
}

/** The output layout: the input grid with the reduced dimensions as one block each. */
function outLayout(a: DArray, dims: readonly number[]): { layout: Layout; groupOf: number[] } {
  const { layout } = a;
  const dist = layout.dist.map((k, d) => (dims.includes(d) ? 1 : k));
  const cuts = layout.cuts.map((c, d) => (dims.includes(d) ? [0, 1] : [...c]));
  const groupOf = layout.pids.map((_, c) => {
    const coords = chunkCoords(layout, c);
    return coords.reduce((o, i, d) => o * (dist[d] as number) + (dims.includes(d) ? 0 : i), 0);
  });
  const n = dist.reduce((s, k) => s * k, 1);
  const pids = Array.from({ length: n }, (_, oc) => layout.pids[groupOf.indexOf(oc)] as number);
  return { layout: { dims: reducedShape(layout.dims, dims), dist, cuts, pids }, groupOf };
}

/** Sends each owner its command and returns the result DArrays (one for a reduction, two for a search). */
function alongDims(op: string, x: AnyArray, dims: readonly number[], spec: AlongSpec): DArray[] {
  const a = firstDArray(op, [x]);
  const { layout, groupOf } = outLayout(a, dims);
  const nOut = spec.kind === 'reduce' ? 1 : 2;
  const outIds = Array.from({ length: nOut }, () => newDArrayId());
  const outDTypes: DType[] =
    spec.kind === 'reduce' ? [a.dtype] : [a.dtype, a.chunkBackend === 'cpu' ? 'float64' : a.dtype];
  const tag = opTag(op);
  a.layout.pids.forEach((p, c) => {
    const oc = groupOf[c] as number;
    const members = a.layout.pids.filter((_, k) => groupOf[k] === oc);
    const [root, ...peers] = members as [number, ...number[]];
    const outBox = a.indices[c]?.map((r, d) => (dims.includes(d) ? ([0, 1] as [number, number]) : r)) as Box;
    const task: AlongTask = {
      tag: `${tag}/${oc}`,
      a,
      dims: [...dims],
      spec,
      outIds,
      outDTypes,
      outBox,
      root,
      peers,
      backend: a.chunkBackend,
    };
    remoteDoQueued(alongHere, p, task);
  });
  return outIds.map((id, k) => new DArray(id, outDTypes[k] as DType, layout, a.chunkBackend));
}

/** The owner half: reduces this process's chunk; the root of a group also combines and keeps the result. */
export const alongHere = registerBuiltin('darrayReduceDims', (t: AlongTask): void => {
  const mine = running(
    onBackend(t.backend, () => partialOf(t)).catch((e: Error) => ({ error: `${e.name}: ${e.message}` })),
  );
  if (state.myid !== t.root) {
    void mine.then((p) => sendTo(t.root, t.tag, p));
    return;
  }
  const combined = running(
    (async () => {
      const parts: Partial[] = [await mine];
      const got = await receiveFrom(t.tag, t.peers);
      for (const p of t.peers) parts.push(got.get(p) as Partial);
      return finish(t, parts);
    })(),
  );
  t.outIds.forEach((id, k) => {
    putChunk(
      id,
      t.outBox,
      combined.then((hosts) => upload(hosts[k] as NDArray, t.backend)),
    );
  });
});

/** This chunk reduced along the dims, on the host, with search indices made global. */
async function partialOf(t: AlongTask): Promise<Partial> {
  const e = chunkEntry(t.a.id);
  const chunk = await e.array;
  const box = e.box;
  if (t.dims.some((d) => chunk.shape[d] === 0)) return undefined;
  if (t.spec.kind === 'reduce') {
    const r = await mapreduce(t.spec.map, t.spec.reducer, chunk, { dims: t.dims });
    return [await collect(r)];
  }
  const [v, i] = await getKernel('findExtrema', chunk.backend)(chunk, t.dims, t.spec.which);
  const [hv, hi] = await Promise.all([collect(v), collect(i)]);
  // Indices into the chunk become linear indices into the whole array.
  const local = boxShape(box);
  const ls = stridesOf(local);
  const gs = stridesOf(t.a.shape);
  const global = new NDArray(new Float64Array(hi.size), hi.shape);
  for (let j = 0; j < hi.size; j++) {
    let rem = Math.round(hi.data[j] as number);
    let g = 0;
    for (let d = 0; d < local.length; d++) {
      const q = Math.floor(rem / (ls[d] as number));
      rem -= q * (ls[d] as number);
      g += (q + (box[d]?.[0] ?? 0)) * (gs[d] as number);
    }
    global.data[j] = g;
  }
  return [hv, global];
}

/** Combines the group's partials in chunk order into the output block's host arrays. */
function finish(t: AlongTask, parts: Partial[]): NDArray[] {
  for (const p of parts) if (p && !Array.isArray(p)) throw new Error(p.error);
  const present = parts.filter((p): p is NDArray[] => Array.isArray(p));
  const shape = boxShape(t.outBox);
  const size = shape.reduce((s, n) => s * n, 1);
  const outs = t.outDTypes.map((dt) => new NDArray(new (ctorOf(dt))(size), shape));
  const [values, indices] = outs as [NDArray, NDArray | undefined];
  const spec = t.spec;
  if (spec.kind === 'reduce') {
    const plan = planReduce(spec.map, spec.reducer, spec.init);
    for (let j = 0; j < size; j++) {
      let acc: number | undefined;
      for (const p of present) {
        const v = p[0]?.data[j] as number;
        acc = acc === undefined ? v : applyStep(plan, acc, v);
      }
      // No chunk had elements along the dims: the one empty rule; init enters once, here.
      values.data[j] =
        acc === undefined
          ? emptyResult(plan, 'the extent along dims')
          : spec.init === undefined
            ? acc
            : applyStep(plan, spec.init, acc);
    }
    return outs;
  }
  const better = spec.which === 'max' ? (b: number, a: number) => b > a : (b: number, a: number) => b < a;
  for (let j = 0; j < size; j++) {
    let av = Number.NaN;
    let ai = -1;
    for (const p of present) {
      const bv = p[0]?.data[j] as number;
      const bi = p[1]?.data[j] as number;
      // NaN wins, then the extreme, then the smaller linear index (the first in row-major order).
      const takes =
        ai < 0 ||
        (Number.isNaN(av)
          ? Number.isNaN(bv) && bi < ai
          : Number.isNaN(bv) || better(bv, av) || (bv === av && bi < ai));
      if (takes) {
        av = bv;
        ai = bi;
      }
    }
    values.data[j] = av;
    (indices as NDArray).data[j] = ai;
  }
  return outs;
}

/** The 'darray' kernel of `reduceDims`: a DArray with the reduced dims of length 1. */
export function darrayReduceDims(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  dims: readonly number[],
  init: number | undefined,
): DArray {
  return alongDims('mapreduce', x, dims, { kind: 'reduce', map, reducer, init })[0] as DArray;
}

/** The 'darray' kernel of `findExtrema`: DArrays of the extremes and of their linear indices. */
export function darrayFindExtrema(
  x: AnyArray,
  dims: readonly number[],
  which: 'max' | 'min',
): [DArray, DArray] {
  const [v, i] = alongDims(`find${which}`, x, dims, { kind: 'find', which });
  return [v as DArray, i as DArray];
}
