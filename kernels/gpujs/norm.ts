/** The gpu.js kernel of `norm`: scaled by the largest |x| (passed as a number) so float32 does not overflow. */
import type { AnyArray } from '../../src/array/protocol.js';
import { dataOf, gpujsOf } from './operands.js';
import { reduceGpujs } from './reduce.js';

/** The p-norm of a gpujs array. */
export function normGpujs(x: AnyArray, p: number): number {
  const b = gpujsOf('norm', [x]);
  const d = dataOf(x, 'norm');
  if (d.length === 0) return 0;
  if (p === 1) return reduceGpujs(b, [d], 'Math.abs(p0)', 'sum');
  if (p === Number.NEGATIVE_INFINITY) return reduceGpujs(b, [d], 'Math.abs(p0)', 'min');
  if (p === 0) return reduceGpujs(b, [d], '(p0 !== 0.0 ? 1.0 : 0.0)', 'sum');
  const m = reduceGpujs(b, [d], 'Math.abs(p0)', 'max');
  if (p === Number.POSITIVE_INFINITY || m === 0 || !Number.isFinite(m)) return m;
  const s =
    p === 2
      ? reduceGpujs(b, [d], '(Math.abs(p0) * s) * (Math.abs(p0) * s)', 'sum', 1 / m)
      : reduceGpujs(
          b,
          [d],
          `Math.pow(Math.abs(p0) * s, ${p === Math.trunc(p) ? `${p}.0` : p})`,
          'sum',
          1 / m,
        );
  return m * s ** (1 / p);
}
