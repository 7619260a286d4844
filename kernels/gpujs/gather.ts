/**
 * The gpu.js gather the shape kernels share: a kernel per index map, with the map's numbers written
 * into its source (gpu.js compiles a kernel from JS text; the backend caches kernels by source).
 */

import type { GPUArray } from '../../gpu/array.js';
import type { IndexMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import type { GpujsBackend } from './backend.js';
import { dataOf, flatten, wrap } from './operands.js';

/** A new GPUArray of the map's result shape gathered from `a` (a gpujs GPUArray or a host array). */
export function gatherGpujs(b: GpujsBackend, a: AnyArray, map: IndexMap, op: string): GPUArray {
  const size = sizeOf(map.shape);
  const shape = map.resultShape ?? map.shape;
  const d = dataOf(a, op);
  if (size === 0) return wrap(b, new Float32Array(0), shape);
  const lines: string[] = [];
  for (let k = map.shape.length - 1; k >= 0; k--) {
    const n = map.shape[k] as number;
    const t = map.terms[k]!;
    lines.push(
      `o = rem % ${n}; rem = Math.floor(rem / ${n}); src = src + ((Math.floor(o / ${t.div}) + ${t.shift}) % ${t.mod}) * ${t.stride};`,
    );
  }
  const k = b.kernel(
    `function(a) { let rem = this.thread.x; let src = 0; let o = 0; ${lines.join(' ')} return a[src]; }`,
    [size],
  );
  return wrap(b, flatten(k(d), size), shape);
}
