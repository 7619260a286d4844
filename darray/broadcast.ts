/**
 * Distributed broadcast: each owner of an output chunk computes it from the matching parts of the
 * operands, fused into one kernel per chunk (the chunk backend's `broadcast`). Aligned operands are
 * read in place; others are fetched by the owner straight from their owners.
 */
import type { DType } from '../src/array/dtype.js';
import type { Lambda } from '../src/array/ir/types.js';
import { isNDArray, type NDArray } from '../src/array/ndarray.js';
import type { Operand, OutSpec } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, onChunkBackend, upload } from './chunk-backend.js';
import { checkOpen, DArray } from './darray.js';
import { sliceBox } from './host-copy.js';
import { type Box, chunkBox, type Layout, makeLayout, projectBox } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { chunkEntry, newDArrayId, putChunk } from './store.js';

/** An operand of a distributed broadcast as sent to one owner. */
export type ChunkOperand = { d: DArray } | { n: number } | { h: NDArray };

/** The owner half: computes this process's chunk of the result. */
export const broadcastHere = registerBuiltin(
  'darrayBroadcast',
  (
    outId: string,
    outBox: Box,
    lambda: Lambda,
    operands: ChunkOperand[],
    backend: string,
    dtype: DType,
    inPlace: boolean,
  ): void => {
    // broadcastInto writes over the chunk it replaces (read before putChunk swaps the entry), as
    // Julia's `.=` does: no second chunk, nothing left to free, and the GPU kernel finds its device
    // through it when every operand is a number. Only this owner reads it: the destination's
    // layout is the result's, so the destination as an operand is always aligned.
    const old = inPlace ? chunkEntry(outId).array : undefined;
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        const args: Operand[] = await Promise.all(
          operands.map(async (o) => {
            if ('n' in o) return o.n;
            if ('h' in o) return backend === 'cpu' ? o.h : upload(o.h, backend);
            return onChunkBackend(await fetchBox(o.d, projectBox(outBox, o.d.shape)), backend);
          }),
        );
        // The chunk's own shape and the result's dtype, not what the operands broadcast to: with
        // broadcastInto no operand need span the chunk (D .= x, D .= hostRow, fill!-style () => 0).
        const spec = { shape: outBox.map(([lo, hi]) => hi - lo), dtype };
        if (old) return getKernel('broadcast', backend)(lambda, args, { ...spec, into: await old });
        return getKernel('broadcast', backend)(lambda, args, spec);
      }),
    );
  },
);

/** The 'darray' kernel of `broadcast`, the caller half: sends each owner of a result chunk its command. */
export function darrayBroadcast(lambda: Lambda, args: readonly Operand[], out: OutSpec): DArray {
  // The destination decides: broadcastInto(D, () => 0) or broadcastInto(D, f, hostArray) has no
  // DArray among its arguments, and writes D's chunks where they are.
  const lead = out.into instanceof DArray ? out.into : firstDArray('broadcast', args);
  if (out.into instanceof DArray) {
    checkOpen(out.into, 'broadcastInto');
    if (args.some((a) => a instanceof DArray)) firstDArray('broadcast', args);
  }
  if (out.into && !(out.into instanceof DArray)) {
    throw new TypeError(
      `broadcastInto: the result of an operation on DArrays is a DArray and cannot be written into ${out.into.backend} array; use broadcast() and collect() it`,
    );
  }
  const into = out.into as DArray | undefined;
  const same = (s: readonly number[]) =>
    s.length === out.shape.length && s.every((n, k) => n === out.shape[k]);
  const layout: Layout = into?.layout ?? (same(lead.shape) ? lead.layout : makeLayout(out.shape, lead.pids));
  const id = into?.id ?? newDArrayId();
  layout.pids.forEach((p, c) => {
    const box = chunkBox(layout, c);
    const operands: ChunkOperand[] = args.map((a) => {
      if (typeof a === 'number') return { n: a };
      if (a instanceof DArray) return { d: a };
      if (isNDArray(a)) return { h: sliceBox(a as NDArray, projectBox(box, a.shape)) };
      throw new TypeError(
        `broadcast: a DArray cannot be combined with an array on backend '${a.backend}'; collect() it first`,
      );
    });
    remoteDoQueued(
      broadcastHere,
      p,
      id,
      box,
      lambda,
      operands,
      lead.chunkBackend,
      out.dtype,
      into !== undefined,
    );
  });
  return into ?? new DArray(id, out.dtype, layout, lead.chunkBackend);
}
