/** The gpu.js kernel of `diag`: a strided gather. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { diagLength } from '../../src/linalg/host.js';
import { runIndexMap } from './index-map.js';
import { dataOf, gpujsOf } from './operands.js';

/** a[i, i + k] for each i on the diagonal, as a vector. */
export function diagGpujs(a: AnyArray, k: number): GPUArray {
  const b = gpujsOf('diag', [a]);
  const [m = 0, n = 0] = a.shape;
  const r0 = Math.max(0, -k);
  const body = `return a[${r0 * n + r0 + k} + i * ${n + 1}];`;
  return runIndexMap(b, ['a'], body, [dataOf(a, 'diag')], [diagLength(m, n, k)]);
}
