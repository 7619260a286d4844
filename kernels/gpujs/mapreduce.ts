/** The gpu.js kernel of `mapreduce`: chunked partial folds; order-dependent lambdas fold on the host. */
import type { Lambda } from '../../src/array/ir/types.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { mapreduceCpu } from '../cpu/mapreduce.js';
import { splitReducer } from '../webgpu/fold.js';
import { exprToGpujs } from './expr.js';
import { dataOf, gpujsOf } from './operands.js';
import { reduceGpujs } from './reduce.js';

/** The gpu.js kernel of `mapreduce`. */
export function mapreduceGpujs(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): number {
  const b = gpujsOf('mapreduce', [x]);
  const data = dataOf(x, 'mapreduce');
  let op: 'sum' | 'prod' | 'min' | 'max' | undefined;
  let g = map ? exprToGpujs(map.body) : 'p0';
  if (typeof reducer === 'string') op = reducer;
  else if (init !== undefined) {
    const split = splitReducer(map, reducer);
    if (split) {
      op = split.op;
      g = exprToGpujs(split.g);
    }
  }
  // Empty arrays and sequential folds follow the CPU kernel exactly (its errors included).
  if (op === undefined || data.length === 0)
    return mapreduceCpu(map, reducer, new NDArray(data, x.shape), init);
  const v = reduceGpujs(b, [data], g, op);
  if (init === undefined) return v;
  if (op === 'sum') return init + v;
  if (op === 'prod') return init * v;
  if (Number.isNaN(init) || Number.isNaN(v)) return Number.NaN;
  return op === 'min' ? Math.min(init, v) : Math.max(init, v);
}
