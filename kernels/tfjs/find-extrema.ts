/**
 * The tfjs kernel of `findExtrema` (findmax, findmin, argmax, argmin, findfirst): when `dims` is
 * one run of adjacent axes, tf.max/min along the folded axis of the array seen as 2-d
 * ([outer·len] rows or [len, inner] columns; a 3-d view runs one 2-d fold per outer slice, since
 * tfjs-webgpu's transpose fails on 3-d tensors on Dawn), then the first index holding it, with NaN
 * winning (the first NaN's index, as Julia), turned into a linear index (float32: exact up to 2^24 elements).
 * Axes that are not adjacent, and empty arrays, go through the host (one download, the CPU scan, one upload).
 */
import type { GPUArray } from '../../gpu/array.js';
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { axisRuns, reducedShape, runExtents } from '../../src/array/reduce-dims.js';
import { sizeOf } from '../../src/array/shape.js';
import { findExtremaCpu } from '../cpu/find-extrema.js';
import type { Tensor, TfjsBackend } from './backend.js';
import { tensorOf, tfjsOf, wrap } from './operands.js';

type TF = TfjsBackend['tf'];

/**
 * Value and axis index of the extreme along `axis` of a 2-d `m`, NaN first. tf.argMax does not
 * pick the first of equal elements on every backend, so the index is the smallest k whose element
 * equals the extreme (or is NaN, when there is one), found with tf.min.
 */
function scan2d(tf: TF, which: 'max' | 'min', m: Tensor, axis: number): [Tensor, Tensor] {
  const nan = tf.isNaN(m);
  const anyNaN = tf.any(nan, axis, true);
  const r = which === 'max' ? tf.max(m, axis, true) : tf.min(m, axis, true);
  const hit = tf.where(tf.broadcastTo(anyNaN, m.shape), nan, tf.equal(m, r));
  const len = m.shape[axis] as number;
  const ks = tf.reshape(tf.range(0, len, 1, 'float32'), axis === 1 ? [1, len] : [len, 1]);
  const k = tf.min(tf.where(hit, tf.broadcastTo(ks, m.shape), tf.fill(m.shape, len)), axis);
  const v = tf.where(anyNaN, tf.fill(r.shape, Number.NaN), r);
  return [tf.reshape(v, [-1]), k];
}

/** The tfjs kernel of `findExtrema`. */
export async function findExtremaTfjs(
  x: AnyArray,
  dims: readonly number[],
  which: 'max' | 'min',
): Promise<[GPUArray, GPUArray]> {
  const b = tfjsOf(`find${which}`, [x]);
  const { tf } = b;
  const runs = axisRuns(dims);
  if (runs.length !== 1 || sizeOf(x.shape) === 0) {
    const [v, i] = findExtremaCpu(await collectGPU(x), dims, which);
    return [uploadTo(b, v), uploadTo(b, i)];
  }
  const { outer, len, inner } = runExtents(x.shape, runs[0] as number[]);
  const shape = reducedShape(x.shape, dims);
  const [v, i] = tf.tidy(() => {
    const t = tensorOf(b, x, `find${which}`);
    // Per outer slice o: the values and indices over [len, inner], as linear indices o·len·inner + k·inner + i.
    const slices =
      inner === 1
        ? [scan2d(tf, which, tf.reshape(t, [outer, len]), 1)]
        : tf.unstack(tf.reshape(t, [outer, len, inner]), 0).map((s) => scan2d(tf, which, s, 0));
    const vals = tf.concat(slices.map(([a]) => tf.reshape(a, [-1])));
    const ks = tf.concat(slices.map(([, k]) => tf.reshape(k, [-1])));
    // Element t of the result is (o, i) = (t div inner, t mod inner).
    const tIdx = tf.range(0, outer * inner, 1, 'float32');
    const o = tf.floor(tf.div(tIdx, inner));
    const lin = tf.add(tf.add(tf.mul(o, len * inner), tf.sub(tIdx, tf.mul(o, inner))), tf.mul(ks, inner));
    return [tf.reshape(vals, shape).clone(), tf.reshape(lin, shape).clone()];
  });
  return [wrap(b, v as Tensor), wrap(b, i as Tensor)];
}
