/** Bringing a DArray to the host: each owner sends its chunk, assembled into one NDArray. */
import type { TypedArray } from '../../src/array/dtype.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { remotecallFetch } from '../../src/remote/calls.js';
import { copyBox } from '../box.js';
import { sliceHere } from '../fetch-box.js';
import { boxShape, chunkBox } from '../layout.js';
import { firstDArray } from './shared.js';

const CTOR = { float64: Float64Array, float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;

export async function darrayCollect(x: AnyArray): Promise<NDArray> {
  const d = firstDArray('collect', [x]);
  const out = new NDArray(new CTOR[d.dtype](d.size) as TypedArray, d.shape);
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
