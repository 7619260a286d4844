/** Distributed similar: zero chunks made on the owners, with the source's layout when the shape is the same. */
import type { DType } from '../src/array/dtype.js';
import type { AnyArray } from '../src/array/protocol.js';
import { remoteDo } from '../src/remote/calls.js';
import { fillHere } from './construct.js';
import { DArray } from './darray.js';
import { chunkBox, makeLayout, sameList } from './layout.js';
import { firstDArray } from './operands.js';
import { chunkDType } from './options.js';
import { newDArrayId } from './store.js';

/** The 'darray' kernel of `similar`: same owners and chunk backend; same cuts for the same shape. */
export function darraySimilar(a: AnyArray, shape: readonly number[], dtype: DType): DArray {
  const A = firstDArray('similar', [a]);
  const layout = sameList(shape, A.shape) ? A.layout : makeLayout(shape, A.pids);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDo(fillHere, p, id, chunkBox(layout, c), ['zeros'], dtype, A.chunkBackend);
  });
  return new DArray(id, chunkDType(dtype, A.chunkBackend), layout, A.chunkBackend);
}
