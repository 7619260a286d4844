/** What the gpu.js index-map kernels (band, diag, diagm, kron) share: a 1-d kernel over the output. */
import type { GPUArray } from '../../gpu/array.js';
import type { GpujsBackend } from './backend.js';
import { flatten, wrap } from './operands.js';

/**
 * Runs `body` (gpu.js kernel source returning the value of flat output element `i`, with the
 * inputs as parameters `params`) over every element of an output of `shape`. Index arithmetic is
 * in float32, exact below 2^24 elements.
 */
export function runIndexMap(
  b: GpujsBackend,
  params: readonly string[],
  body: string,
  inputs: readonly Float32Array[],
  shape: readonly number[],
): GPUArray {
  const size = shape.reduce((s, n) => s * n, 1);
  if (size === 0) return wrap(b, new Float32Array(0), shape);
  const k = b.kernel(`function(${params.join(', ')}) { const i = this.thread.x; ${body} }`, [size]);
  return wrap(b, flatten(k(...inputs), size), shape);
}
