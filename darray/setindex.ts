/**
 * Distributed setindex: each owner of a chunk the selection touches gets only its part: a number,
 * the piece of a host value cut for it on the caller, or, for a DArray value, the positions to
 * gather from the value's owners itself (worker to worker). It writes that part into its chunk in
 * place with the chunk backend's setindex. Resolves once every owner has written.
 */
import { type Indices, type Selector, selShape } from '../src/array/indices.js';
import { isNDArray, type NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend } from './chunk-backend.js';
import { DArray } from './darray.js';
import { firstDArray } from './operands.js';
import { gatherLinear, gatherSelection, linearParts, partsOf, toLocal } from './select.js';
import { awaitChunkEntry, running } from './store.js';

/** What one owner writes: a number, a host piece, or the positions of a DArray value to gather. */
export type SetValue =
  | { n: number }
  | { h: NDArray }
  | { d: DArray; sels: Selector[] }
  | { d: DArray; linear: Selector };

async function setLocal(id: string, ix: Indices, value: SetValue, backend: string): Promise<void> {
  const e = await awaitChunkEntry(id);
  const chunk = await e.array;
  const local: Indices = ix.linear ? ix : { sels: toLocal(ix.sels, e.box), linear: false };
  await onBackend(backend, async () => {
    let v: AnyArray | number;
    if ('n' in value) v = value.n;
    else if ('h' in value) v = value.h;
    else if ('linear' in value) v = await gatherLinear(value.d, value.linear);
    else v = await gatherSelection(value.d, value.sels);
    await getKernel('setindex', chunk.backend)(chunk, v, local);
  });
}

/** The owner half: writes this process's part of a setindex into its chunk of `id`. */
export const setindexHere = registerBuiltin(
  'darraySetindex',
  (id: string, ix: Indices, value: SetValue, backend: string): Promise<void> =>
    running(setLocal(id, ix, value, backend)),
);

/** Positions as Indices over the value (scalar dimensions dropped, as the value has them). */
function positions(pos: readonly Selector[], sels: readonly Selector[]): Indices {
  return { sels: pos.filter((_, k) => (sels[k] as Selector).kind !== 'scalar'), linear: false };
}

/** The 'darray' kernel of `setindex`, the caller half. */
export async function darraySetindex(x: AnyArray, value: AnyArray | number, ix: Indices): Promise<void> {
  const A = firstDArray('setindex', [x]);
  const shape = selShape(ix.sels);
  let v: AnyArray | number = value;
  // A DArray value of the selection's shape is read by the owners themselves; any other value (a
  // GPU array or view, or a DArray of another shape with as many elements) is brought here first.
  const aligned =
    v instanceof DArray && v.shape.length === shape.length && v.shape.every((n, k) => n === shape[k]);
  if (typeof v !== 'number' && !aligned && !isNDArray(v)) v = await collect(v);
  const host = isNDArray(v) ? (v as NDArray).reshape(shape) : undefined;
  const pick = getKernel('getindex', 'cpu');
  const calls: Promise<void>[] = [];
  if (ix.linear) {
    const sel = ix.sels[0] as Selector;
    for (const [c, { local, pos }] of linearParts(A, sel)) {
      const posSel: Selector = { kind: 'list', idx: Int32Array.from(pos) };
      const part: SetValue =
        typeof v === 'number'
          ? { n: v }
          : host
            ? { h: (await pick(host, { sels: [posSel], linear: false })) as NDArray }
            : { d: v as DArray, linear: posSel };
      const lix: Indices = { sels: [{ kind: 'list', idx: Int32Array.from(local) }], linear: true };
      calls.push(remotecallFetch(setindexHere, A.pids[c] as number, A.id, lix, part, A.chunkBackend));
    }
  } else {
    for (const { owner, src, pos } of partsOf(A, ix.sels)) {
      const at = positions(pos, ix.sels);
      let part: SetValue;
      if (typeof v === 'number') part = { n: v };
      else if (host) {
        const piece = at.sels.length === 0 ? host : await pick(host, at);
        part = { h: typeof piece === 'number' ? (host.reshape([1]) as NDArray) : (piece as NDArray) };
      } else part = { d: v as DArray, sels: at.sels as Selector[] };
      calls.push(
        remotecallFetch(setindexHere, owner, A.id, { sels: src, linear: false }, part, A.chunkBackend),
      );
    }
  }
  await Promise.all(calls);
}
