/** The CPU kernel of `random`: the reference loop of the counter-based generator. */
import { empty } from '../../src/array/create.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import { fillRandom, type RandomSpec } from '../../src/array/random-op.js';

/** A new host array of random numbers, or `out.into` refilled. */
export function randomCpu(spec: RandomSpec, out: OutSpec): AnyArray {
  const a = (out.into as NDArray | undefined) ?? empty(out.shape, out.dtype);
  fillRandom(a.data, a.shape, spec, a.dtype === 'float32');
  return a;
}
