/**
 * The tfjs kernel of `reduceDims` (sum, prod, min, max, mapreduce and reduce with `dims`): each
 * pass of src/array/reduce-dims.ts as tf.sum/prod/min/max along axis 1 of the array seen as
 * [outer, len, inner], with the plan's step for init and NaN put back where tf.min/max skip it
 * (a 3-d min/max runs as one 2-d fold per outer slice: tfjs-webgpu's transpose fails there).
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
import type { Tensor, TfjsBackend } from './backend.js';
import { evalTf } from './expr.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

/** tf.min/max along `axis` with NaN put back where they skip it (the plan's steps propagate NaN). */
function minMax(tf: TfjsBackend['tf'], op: 'min' | 'max', m: Tensor, axis: number, len: number): Tensor {
  const r = op === 'min' ? tf.min(m, axis) : tf.max(m, axis);
  return len > 0 ? tf.where(tf.any(tf.isNaN(m), axis), tf.fill(r.shape, Number.NaN), r) : r;
}

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
      // The fewest dimensions that keep the folded axis apart: tfjs-webgpu's reductions over an
      // axis other than the last transpose first, and that transpose fails on 3-d tensors on Dawn.
      const [shape, axis] =
        p.inner === 1
          ? [[p.outer, p.len], 1]
          : p.outer === 1
            ? [[p.len, p.inner], 0]
            : [[p.outer, p.len, p.inner], 1];
      const v = tf.reshape(cur, shape);
      const m = p.map ? evalTf(tf, p.map, [v]) : v;
      let r: Tensor;
      if (monoid.op === 'sum') r = tf.sum(m, axis);
      else if (monoid.op === 'prod') r = tf.prod(m, axis);
      else if (shape.length === 2) r = minMax(tf, monoid.op, m, axis, p.len);
      // A 3-d min/max, one 2-d fold per outer slice (see above).
      else r = tf.stack(tf.unstack(m, 0).map((t) => minMax(tf, monoid.op as 'min' | 'max', t, 0, p.len)));
      if (p.seed === 'init') r = evalTf(tf, p.step, [tf.scalar(p.init as number, 'float32'), r]);
      cur = r;
    }
    return tf.reshape(cur, reducedShape(x.shape, dims)).clone();
  });
  return wrap(b, t);
}
