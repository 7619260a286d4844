/** The gpu.js kernel of `eye`. */

import type { GPUArray } from '../../gpu/array.js';
import { getBackend } from '../../src/array/registry.js';
import type { GpujsBackend } from './backend.js';
import { flatten, wrap } from './operands.js';

/** The n×m float32 array with `value` on the diagonal, one thread per element. */
export async function eyeGpujs(n: number, m: number, value: number): Promise<GPUArray> {
  const b = (await getBackend('gpujs')) as GpujsBackend;
  if (n * m === 0) return wrap(b, new Float32Array(0), [n, m]);
  // gpu.js numbers are floats: the value goes in as an argument, so any value keeps one kernel per size.
  const k = b.kernel('function(v) { return this.thread.x === this.thread.y ? v[0] : 0; }', [m, n]);
  return wrap(b, flatten(k(Float32Array.of(value)), n * m), [n, m]);
}
