/** Turns op arguments (GPUArrays, host NDArrays) into float32 data for the gpu.js kernels. */

import { GPUArray } from '../../gpu/array.js';
import { toFloat32 } from '../../gpu/convert.js';
import { backendOfArgs, ownStorage } from '../../gpu/operands.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import type { GpujsBackend, GpujsStorage } from './backend.js';

/** The gpu.js backend of the first GPUArray on 'gpujs' among `args`. */
export function gpujsOf(op: string, args: readonly unknown[]): GpujsBackend {
  return backendOfArgs<GpujsBackend>('gpujs', op, args);
}

/** The float32 elements of a gpujs GPUArray or a host NDArray. */
export function dataOf(a: AnyArray, op: string): Float32Array {
  const own = ownStorage<GpujsStorage>('gpujs', a, op);
  if (own) return own.data;
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
