/**
 * The tfjs kernel of `mapreduce`: tf.sum/prod/min/max of the mapped tensor. Order-dependent lambda
 * reducers have no tfjs form, so they fold on the host after one download.
 */
import type { Lambda } from '../../src/array/ir/types.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { mapreduceCpu } from '../cpu/mapreduce.js';
import { splitReducer } from '../webgpu/fold.js';
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
  let op: 'sum' | 'prod' | 'min' | 'max' | undefined;
  let g = map?.body ?? null;
  if (typeof reducer === 'string') op = reducer;
  else if (init !== undefined) {
    const split = splitReducer(map, reducer);
    if (split) {
      op = split.op;
      g = split.g;
    }
  }
  if (op === undefined || size === 0) {
    // Empty arrays and sequential folds follow the CPU kernel exactly (its errors included).
    const host = tf.tidy(() => tensorOf(b, x, 'mapreduce').clone());
    const data = (await host.data()) as Float32Array;
    host.dispose();
    return mapreduceCpu(map, reducer, new NDArray(data, x.shape), init);
  }
  const reduceOp = op;
  const [v, nan] = tf.tidy(() => {
    const t = tensorOf(b, x, 'mapreduce');
    const m = g ? evalTf(tf, g, [t]) : t;
    const r =
      reduceOp === 'sum'
        ? tf.sum(m)
        : reduceOp === 'prod'
          ? tf.prod(m)
          : reduceOp === 'min'
            ? tf.min(m)
            : tf.max(m);
    return [r, tf.any(tf.isNaN(m))];
  });
  const [value] = await v.data();
  const [hasNaN] = await nan.data();
  v.dispose();
  nan.dispose();
  // tf.min/max skip NaN; ours propagate it, as Julia's and the CPU kernel's do.
  let out = (op === 'min' || op === 'max') && hasNaN ? Number.NaN : value!;
  if (init !== undefined)
    out =
      op === 'sum'
        ? init + out
        : op === 'prod'
          ? init * out
          : op === 'min'
            ? Math.min(init, out)
            : Math.max(init, out);
  return out;
}
