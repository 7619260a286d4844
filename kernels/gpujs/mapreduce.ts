/**
 * The gpu.js kernel of `mapreduce`: the reduction's plan (src/array/ir/reduce-plan.ts) as chunked
 * partial folds; sequential plans fold on the host.
 */
import { emptyResult, planReduce, withInit } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { foldPlan } from '../cpu/mapreduce.js';
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
  const plan = planReduce(map, reducer, init);
  if (data.length === 0) return emptyResult(plan);
  if (!plan.monoid) return foldPlan(plan, data);
  return withInit(
    plan,
    reduceGpujs(b, [data], plan.map ? exprToGpujs(plan.map, 'p', 'tm') : 'p0', plan.monoid.op),
  );
}
