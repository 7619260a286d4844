/**
 * The tfjs kernel of `mapreduce`: the reduction's plan (src/array/ir/reduce-plan.ts) carried out
 * as tf.sum/prod/min/max of the mapped tensor. Sequential plans have no tfjs form, so they fold on
 * the host after one download.
 */
import { emptyResult, planReduce, withInit } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { foldPlan } from '../cpu/mapreduce.js';
import { evalTf } from './expr.js';
import { tensorOf, tfjsOf } from './operands.js';

/** The tfjs kernel of `mapreduce`. */
export async function mapreduceTfjs(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  init: number | undefined,
): Promise<number> {
  const b = tfjsOf('mapreduce', [x]);
  const { tf } = b;
  const size = x.shape.reduce((s, d) => s * d, 1);
  const plan = planReduce(map, reducer, init);
  if (size === 0) return emptyResult(plan);
  const { monoid } = plan;
  if (!monoid) {
    const host = tf.tidy(() => tensorOf(b, x, 'mapreduce').clone());
    const data = (await host.data()) as Float32Array;
    host.dispose();
    return foldPlan(plan, data);
  }
  const [v, nan] = tf.tidy(() => {
    const t = tensorOf(b, x, 'mapreduce');
    const m = plan.map ? evalTf(tf, plan.map, [t]) : t;
    const r =
      monoid.op === 'sum'
        ? tf.sum(m)
        : monoid.op === 'prod'
          ? tf.prod(m)
          : monoid.op === 'min'
            ? tf.min(m)
            : tf.max(m);
    return [r, tf.any(tf.isNaN(m))];
  });
  const [value] = await v.data();
  const [hasNaN] = await nan.data();
  v.dispose();
  nan.dispose();
  // tf.min/max skip NaN; the plan's min/max steps propagate it (sum and prod do by themselves).
  return withInit(plan, hasNaN ? Number.NaN : value!);
}
