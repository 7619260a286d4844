/** Shared by the gpu.js kernels: the backend of the arguments and their host data. */

import { GPUArray } from '../../gpu/array.js';
import { toFloat32 } from '../../gpu/convert.js';
import type { GpujsBackend, GpujsStorage } from '../../gpu/gpujs/backend.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';

/** The gpu.js backend of the first GPUArray on 'gpujs' among `args`. */
export function gpujsOf(op: string, args: readonly unknown[]): GpujsBackend {
  for (const a of args) if (a instanceof GPUArray && a.backend === 'gpujs') return a.impl as GpujsBackend;
  throw new ArgumentError(`${op} (gpujs): expected at least one GPUArray on 'gpujs' among the arguments`);
}

/** The float32 elements of a gpujs GPUArray or a host NDArray. */
export function dataOf(a: AnyArray, op: string): Float32Array {
  if (a instanceof GPUArray) {
    if (a.backend !== 'gpujs')
      throw new ArgumentError(`${op}: got a GPUArray on '${a.backend}' where 'gpujs' was expected`);
    return (a.storage as GpujsStorage).data;
  }
  if (a.backend !== 'cpu')
    throw new ArgumentError(`${op} (gpujs): cannot read an array on '${a.backend}'; collect() it first`);
  return toFloat32((a as NDArray).data);
}

/** A kernel result (a flat array, or rows for 2-d outputs) as one Float32Array. */
export function flatten(result: unknown, size: number): Float32Array {
  if (result instanceof Float32Array && result.length === size) return result;
  const out = new Float32Array(size);
  if (Array.isArray(result) && ArrayBuffer.isView(result[0])) {
    let o = 0;
    for (const row of result as Float32Array[]) {
      out.set(row, o);
      o += row.length;
    }
  } else out.set(result as ArrayLike<number>);
  return out;
}

/** A new GPUArray of `shape` owning `data`. */
export function wrap(b: GpujsBackend, data: Float32Array, shape: readonly number[]): GPUArray {
  return new GPUArray(b, b.store(data), shape);
}
