/** The gpu.js kernel of `diagm`. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { runIndexMap } from './index-map.js';
import { dataOf, gpujsOf } from './operands.js';

/** A square matrix of side len(v) + |k| with v on its k-th diagonal. */
export function diagmGpujs(v: AnyArray, k: number): GPUArray {
  const b = gpujsOf('diagm', [v]);
  const N = (v.shape[0] ?? 0) + Math.abs(k);
  // On the k-th diagonal, the element's position in v is the smaller of its row and column.
  const body = `const r = Math.floor(i / ${N}); const c = i - r * ${N};
    if (c - r == ${k}) { return v[Math.min(r, c)]; } return 0;`;
  return runIndexMap(b, ['v'], body, [dataOf(v, 'diagm')], [N, N]);
}
