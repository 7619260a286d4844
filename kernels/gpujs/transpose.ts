/** The gpu.js kernel of `transpose`. */

import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/** aᵀ: out[y][x] = a[x][y] (a vector becomes a 1×n matrix). */
export function transposeGpujs(a: AnyArray): GPUArray {
  const b = gpujsOf('transpose', [a]);
  const d = dataOf(a, 'transpose');
  if (a.shape.length === 1) return wrap(b, Float32Array.from(d), [1, a.shape[0] ?? 0]);
  const [m = 0, n = 0] = a.shape;
  if (m * n === 0) return wrap(b, new Float32Array(0), [n, m]);
  const k = b.kernel(`function(a) { return a[this.thread.x * ${n} + this.thread.y]; }`, [m, n]);
  return wrap(b, flatten(k(d), m * n), [n, m]);
}
