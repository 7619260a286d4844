/** Shapes: validation, sizes, strides and NumPy's broadcasting rule. */
import { ArgumentError, describe } from '../errors.js';

/** Checks a shape (non-negative integer extents) and returns a fresh copy of it. */
export function checkShape(shape: unknown, arg = 'shape'): number[] {
  const dims = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0))
    throw new ArgumentError(`${arg}: expected an array of non-negative integers, got ${describe(shape)}`);
  return [...(dims as number[])];
}

/** Number of elements of a shape (1 for the empty shape of a 0-d array). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The shape that `shapes` broadcast to under NumPy's rule: align trailing dimensions; each pair
 * must be equal or one of them 1. Throws an ArgumentError naming the clashing dimension.
 */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const k = ndim - s.length + i;
      const d = s[i]!;
      const o = out[k]!;
      if (o === 1) out[k] = d;
      else if (d !== 1 && d !== o)
        throw new ArgumentError(
          `broadcast: shapes ${shapes.map((x) => `[${x.join(', ')}]`).join(', ')} do not broadcast: ` +
            `dimension ${k} is ${o} in one and ${d} in another; extents must match or be 1`,
        );
    }
  }
  return out;
}

/**
 * Element strides to read an array of `shape` as if it had `outShape` (0 on broadcast dimensions),
 * one per dimension of `outShape`.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, k) => {
    const i = k - off;
    return i < 0 || shape[i] === 1 ? 0 : own[i]!;
  });
}
