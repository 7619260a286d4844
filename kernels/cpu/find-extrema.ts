/** The CPU kernel of `findExtrema` (findmax, findmin, argmax, argmin, findfirst). */
import { empty } from '../../src/array/create.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { reducedShape } from '../../src/array/reduce-dims.js';
import { reductionOffsets } from './reduce-dims.js';

/**
 * Along `dims`: the largest (or smallest) element, NaN winning as in Julia's findmax, the first
 * on ties, and its linear index into x (float64, exact to 2^53).
 */
export function findExtremaCpu(
  x: NDArray,
  dims: readonly number[],
  which: 'max' | 'min',
): [NDArray, NDArray] {
  const shape = reducedShape(x.shape, dims);
  const values = empty(shape, x.dtype);
  const indices = empty(shape, 'float64');
  const { offsets, bases } = reductionOffsets(x.shape, dims);
  const d = x.data;
  const better = which === 'max' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < bases.length; o++) {
    const base = bases[o] as number;
    let bi = base + (offsets[0] as number);
    let bv = d[bi] as number;
    for (let j = 1; j < offsets.length && !Number.isNaN(bv); j++) {
      const i = base + (offsets[j] as number);
      const v = d[i] as number;
      if (Number.isNaN(v) || better(v, bv)) {
        bv = v;
        bi = i;
      }
    }
    values.data[o] = bv;
    indices.data[o] = bi;
  }
  return [values, indices];
}
