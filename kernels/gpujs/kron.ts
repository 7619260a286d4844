/** The gpu.js kernel of `kron`. */
import type { GPUArray } from '../../gpu/array.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { rowsCols } from '../../src/linalg/host.js';
import { runIndexMap } from './index-map.js';
import { dataOf, gpujsOf } from './operands.js';

/** The Kronecker product (vectors as columns), of shape `out.shape`. */
export function kronGpujs(a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): GPUArray {
  const dev = gpujsOf('kron', [a, b]);
  const [, n] = rowsCols(a.shape);
  const [p, q] = rowsCols(b.shape);
  const N = n * q;
  const body = `const R = Math.floor(i / ${N}); const C = i - R * ${N};
    const ar = Math.floor(R / ${p}); const ac = Math.floor(C / ${q});
    return a[ar * ${n} + ac] * b[(R - ar * ${p}) * ${q} + C - ac * ${q}];`;
  return runIndexMap(dev, ['a', 'b'], body, [dataOf(a, 'kron'), dataOf(b, 'kron')], out.shape);
}
