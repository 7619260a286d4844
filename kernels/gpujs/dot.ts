/** The gpu.js kernel of `dot`: one chunked partial-sum kernel over both arrays. */
import type { AnyArray } from '../../src/array/protocol.js';
import { dataOf, gpujsOf } from './operands.js';
import { reduceGpujs } from './reduce.js';

/** Σ x[i]·y[i]. */
export function dotGpujs(x: AnyArray, y: AnyArray): number {
  const b = gpujsOf('dot', [x, y]);
  const dx = dataOf(x, 'dot');
  return dx.length === 0 ? 0 : reduceGpujs(b, [dx, dataOf(y, 'dot')], 'p0 * p1', 'sum');
}
