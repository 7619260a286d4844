/**
 * The tfjs kernel of `reduceDims` (sum, prod, min, max, mapreduce and reduce with `dims`): each
 * pass of src/array/reduce-dims.ts as tf.sum/prod/min/max along axis 1 of the array seen as
 * [outer, len, inner], with the plan's step for init and NaN put back where tf.min/max skip it.
 * Order-dependent lambdas have no tfjs form: they fold on the host after one download.
 */
import type { GPUArray } from '../../gpu/array.js';
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import { planReduce } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { axisPasses, reducedShape } from '../../src/array/reduce-dims.js';
import { reduceDimsCpu } from '../cpu/reduce-dims.js';
import type { Tensor } from './backend.js';
import { evalTf } from './expr.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** The tfjs kernel of `reduceDims`. */
export async function reduceDimsTfjs(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  dims: readonly number[],
  init: number | undefined,
): Promise<GPUArray> {
  const b = tfjsOf('mapreduce', [x]);
  const { tf } = b;
  const plan = planReduce(map, reducer, init);
  const passes = axisPasses(plan, x.shape, dims);
  const monoid = plan.monoid;
  if (!passes || !monoid)
    return uploadTo(b, await reduceDimsCpu(map, reducer, await collectGPU(x), dims, init));
  const t = tf.tidy(() => {
    let cur: Tensor = tensorOf(b, x, 'mapreduce');
    for (const p of passes) {
      const v = tf.reshape(cur, [p.outer, p.len, p.inner]);
      const m = p.map ? evalTf(tf, p.map, [v]) : v;
      let r: Tensor =
        monoid.op === 'sum'
          ? tf.sum(m, 1)
          : monoid.op === 'prod'
            ? tf.prod(m, 1)
            : monoid.op === 'min'
              ? tf.min(m, 1)
              : tf.max(m, 1);
      // tf.min/max skip NaN; the plan's min/max steps propagate it (sum and prod do by themselves).
      if ((monoid.op === 'min' || monoid.op === 'max') && p.len > 0)
        r = tf.where(tf.any(tf.isNaN(m), 1), tf.fill(r.shape, Number.NaN), r);
      if (p.seed === 'init') r = evalTf(tf, p.step, [tf.scalar(p.init as number, 'float32'), r]);
      cur = r;
    }
    return tf.reshape(cur, reducedShape(x.shape, dims)).clone();
  });
  return wrap(b, t);
}
