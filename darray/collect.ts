/** Bringing a DArray to the host: each owner sends its chunk (read.ts's sliceHere), assembled into one NDArray. */
import { ctorOf } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { copyBox } from './host-copy.js';
import { boxShape, chunkBox } from './layout.js';
import { firstDArray } from './operands.js';
import { sliceHere } from './read.js';

/** The 'darray' kernel of `collect`. */
export async function darrayCollect(x: AnyArray): Promise<NDArray> {
  const d = firstDArray('collect', [x]);
  const out = new NDArray(new (ctorOf(d.dtype))(d.size), d.shape);
  await Promise.all(
    d.pids.map(async (p, c) => {
      const box = chunkBox(d.layout, c);
      const piece = await remotecallFetch(sliceHere, p, d.id, box);
      copyBox(
        piece,
        boxShape(box).map((n) => [0, n] as [number, number]),
        out,
        box.map(([lo]) => lo),
      );
    }),
  );
  return out;
}
