/** The gpu.js kernel of `band` (triu, tril). */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { runIndexMap } from './index-map.js';
import { dataOf, gpujsOf } from './operands.js';

/** A copy of matrix `a` with the elements outside lo ≤ j − i ≤ hi set to zero. */
export function bandGpujs(a: AnyArray, lo: number, hi: number): GPUArray {
  const b = gpujsOf('band', [a]);
  const n = a.shape[1] ?? 0;
  const body = `const r = Math.floor(i / ${n}); const d = i - r * ${n} - r;
    if (d >= ${lo} && d <= ${hi}) { return a[i]; } return 0;`;
  return runIndexMap(b, ['a'], body, [dataOf(a, 'band')], a.shape);
}
