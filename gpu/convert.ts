/** Host-side conversion to the GPU's element type. */
import type { TypedArray } from '../src/array/dtype.js';

/** `data` as float32: the same array when it already is, a converted copy otherwise (as CUDA.jl's cu). */
export function toFloat32(data: TypedArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}
