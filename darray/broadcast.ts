/**
 * Distributed broadcast: each owner of an output chunk computes it from the matching parts of the
 * operands, fused into one kernel per chunk. Aligned operands are read in place; others are
 * fetched by the owner straight from their owners.
 */
import type { Lambda } from '../../src/array/ir/types.js';
import { isNDArray, type NDArray } from '../../src/array/ndarray.js';
import type { Operand, OutSpec } from '../../src/array/protocol.js';
import { remoteDoQueued } from '../../src/remote/calls.js';
import { sliceBox } from '../box.js';
import { broadcastHere, type ChunkOperand } from '../chunk-ops.js';
import { DArray, newDArrayId } from '../darray.js';
import { chunkBox, type Layout, makeLayout, projectBox } from '../layout.js';
import { firstDArray } from './shared.js';

export function darrayBroadcast(lambda: Lambda, args: readonly Operand[], out: OutSpec): DArray {
  const lead = firstDArray('broadcast', args);
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
    remoteDoQueued(broadcastHere, p, id, box, lambda, operands, lead.chunkBackend);
  });
  return into ?? new DArray(id, out.dtype, layout, lead.chunkBackend);
}
