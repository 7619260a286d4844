/**
 * The gpu.js kernel of `findExtrema` (findmax, findmin, argmax, argmin, findfirst): when `dims` is
 * one run of adjacent axes, a kernel with a thread per result element scans its elements in order
 * (NaN wins, the first on ties, as Julia) and returns the linear index (a float32: exact up to
 * 2^24 elements); the values are then read at those indices from the array's data, which this
 * backend keeps in host memory between kernels. Axes that are not adjacent use the CPU scan.
 */
import type { GPUArray } from '../../gpu/array.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { axisRuns, reducedShape, runExtents } from '../../src/array/reduce-dims.js';
import { findExtremaCpu } from '../cpu/find-extrema.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/** gpu.js source of the scan over x[(o·len + k)·inner + i] for thread o·inner + i. */
// x !== x is the NaN test gpu.js compiles (its isNaN is not supported in every mode).
function scanSource(which: 'max' | 'min', len: number, inner: number): string {
  return `function(x) {
  const t = this.thread.x;
  const o = Math.floor(t / ${inner});
  const base = o * ${len * inner} + (t - o * ${inner});
  let bv = x[base];
  let bk = 0;
  if (bv === bv) {
    for (let k = 1; k < ${len}; k++) {
      const v = x[base + k * ${inner}];
      if (v !== v) { bv = v; bk = k; break; }
      if (v ${which === 'max' ? '>' : '<'} bv) { bv = v; bk = k; }
    }
  }
  return base + bk * ${inner};
}`;
}

/** The gpu.js kernel of `findExtrema`. */
export function findExtremaGpujs(
  x: AnyArray,
  dims: readonly number[],
  which: 'max' | 'min',
): [GPUArray, GPUArray] {
  const b = gpujsOf(`find${which}`, [x]);
  const data = dataOf(x, `find${which}`);
  const shape = reducedShape(x.shape, dims);
  const runs = axisRuns(dims);
  if (runs.length !== 1) {
    const [v, i] = findExtremaCpu(new NDArray(data, x.shape), dims, which);
    return [wrap(b, Float32Array.from(v.data), shape), wrap(b, Float32Array.from(i.data), shape)];
  }
  const { outer, len, inner } = runExtents(x.shape, runs[0] as number[]);
  const n = outer * inner;
  const idx = n === 0 ? new Float32Array(0) : flatten(b.kernel(scanSource(which, len, inner), [n])(data), n);
  const val = Float32Array.from(idx, (i) => data[i] as number);
  return [wrap(b, val, shape), wrap(b, idx, shape)];
}
