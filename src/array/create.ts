/** Array constructors: synchronous, always on the host, float64 unless told otherwise. */
import { ArgumentError, describe } from '../errors.js';
import { checkDType, type DType, dtypeOfData, type TypedArrayFor } from './dtype.js';
import { NDArray } from './ndarray.js';
import type { AnyArray } from './protocol.js';
import { checkSeed, fillRandom, randomOn } from './random-op.js';
import { checkShape, sizeOf } from './shape.js';
import { allocData } from './storage.js';

/** Nested JS arrays of numbers, any depth. */
export type NestedNumbers = number | readonly NestedNumbers[];

/** Options of {@link array}. */
export interface ArrayOptions<D extends DType> {
  dtype?: D;
  /** The shape of flat data; nested arrays carry their own shape. */
  shape?: readonly number[];
}

/**
 * A new array whose contents are unspecified (zeros, or stale values when large storage is
 * reused): for outputs that are about to be overwritten.
 */
export function empty<D extends DType = 'float64'>(shape: readonly number[] | number, dtype?: D): NDArray<D> {
  const s = checkShape(shape);
  const dt = checkDType(dtype ?? 'float64') as D;
  return new NDArray(allocData(dt, sizeOf(s), false), s);
}

function nestedShape(x: NestedNumbers): number[] {
  const shape: number[] = [];
  let cur: NestedNumbers = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly NestedNumbers[])[0] ?? 0;
  }
  return shape;
}

function flatten(x: NestedNumbers, shape: readonly number[], out: TypedArrayFor[DType]): void {
  let pos = 0;
  const rec = (v: NestedNumbers, k: number, path: string): void => {
    if (k === shape.length) {
      if (typeof v !== 'number')
        throw new ArgumentError(`array: expected a number at ${path || 'top level'}, got ${describe(v)}`);
      out[pos++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[k])
      throw new ArgumentError(
        `array: ragged nesting at ${path || 'top level'}: expected ${shape[k]} elements, got ${describe(v)}`,
      );
    const items = v as readonly NestedNumbers[];
    for (let i = 0; i < items.length; i++) rec(items[i]!, k + 1, `${path}[${i}]`);
  };
  rec(x, 0, '');
}

/**
 * An NDArray from nested JS arrays, a TypedArray, or flat numbers with `shape`. The data is copied.
 *
 * @example
 * const M = array([[2, 1], [1, 1]]);            // float64, shape [2, 2]
 * const v = array([1, 2, 3, 4], { shape: [2, 2], dtype: 'float32' });
 */
export function array<D extends DType = 'float64'>(
  data: NestedNumbers | ArrayBufferView,
  options: ArrayOptions<D> = {},
): NDArray<D> {
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfData(data);
    if (!own) throw new ArgumentError(`array: unsupported TypedArray ${describe(data)}`);
    const dtype = (options.dtype ?? own) as D;
    const src = data as TypedArrayFor[DType];
    const shape = checkShape(options.shape ?? [src.length], 'options.shape');
    if (sizeOf(shape) !== src.length)
      throw new ArgumentError(`array: shape [${shape}] needs ${sizeOf(shape)} elements, got ${src.length}`);
    const out = empty(shape, dtype);
    out.data.set(src);
    return out;
  }
  const dtype = checkDType(options.dtype ?? 'float64', 'options.dtype') as D;
  if (options.shape) {
    const shape = checkShape(options.shape, 'options.shape');
    const flat = Array.isArray(data) ? (data as unknown[]).flat(Number.POSITIVE_INFINITY) : [data];
    if (flat.length !== sizeOf(shape))
      throw new ArgumentError(`array: shape [${shape}] needs ${sizeOf(shape)} elements, got ${flat.length}`);
    const out = empty(shape, dtype);
    flatten(flat as NestedNumbers, [flat.length], out.data);
    return out;
  }
  const shape = nestedShape(data);
  const out = empty(shape, dtype);
  flatten(data, shape, out.data);
  return out;
}

/** An array of zeros. */
export function zeros<D extends DType = 'float64'>(shape: readonly number[] | number, dtype?: D): NDArray<D> {
  const s = checkShape(shape);
  const dt = checkDType(dtype ?? 'float64') as D;
  return new NDArray(allocData(dt, sizeOf(s)), s);
}

/** An array with every element `value`. */
export function fill<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  value: number,
  dtype?: D,
): NDArray<D> {
  if (typeof value !== 'number')
    throw new ArgumentError(`fill: expected a number value, got ${describe(value)}`);
  const out = empty(shape, dtype);
  out.data.fill(value);
  return out;
}

/** An array of ones. */
export function ones<D extends DType = 'float64'>(shape: readonly number[] | number, dtype?: D): NDArray<D> {
  return fill(shape, 1, dtype);
}

/** Options of {@link rand} and {@link randn}. */
export interface RandomOptions<D extends DType> {
  dtype?: D;
  /** Seed for a reproducible stream; without one each call differs. */
  seed?: number;
  /**
   * Make the array on this backend ('webgpu', 'tfjs', …) instead of the host; the call then
   * resolves to that backend's array. A seed gives the same numbers on every backend.
   */
  backend?: string;
}

function hostRandom<D extends DType>(
  op: string,
  shape: readonly number[] | number,
  options: RandomOptions<D>,
  normal: boolean,
): NDArray<D> {
  const out = empty(shape, options.dtype);
  fillRandom(out.data, out.shape, { normal, seed: checkSeed(op, options.seed) }, out.dtype === 'float32');
  return out;
}

/**
 * Uniform random numbers in [0, 1). Element i is a hash of (seed, i) (see random.ts), so a seed
 * gives the same numbers on every backend and in every DArray layout (`drand`). With `backend`
 * the numbers are made there (on the device for webgpu) and the call returns a Promise.
 *
 * @example
 * const v = rand([4096], { seed: 1 });
 * const g = await rand([64, 64], { seed: 1, backend: 'webgpu', dtype: 'float32' });
 */
export function rand<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options: RandomOptions<D> & { backend: string },
): Promise<AnyArray>;
export function rand<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options?: RandomOptions<D> & { backend?: undefined },
): NDArray<D>;
export function rand<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options: RandomOptions<D> = {},
): NDArray<D> | Promise<AnyArray> {
  if (options.backend !== undefined)
    return randomOn('rand', shape, { ...options, backend: options.backend }, false);
  return hostRandom('rand', shape, options, false);
}

/** Standard normal random numbers (Box–Muller over the generator of {@link rand}); `backend` as there. */
export function randn<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options: RandomOptions<D> & { backend: string },
): Promise<AnyArray>;
export function randn<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options?: RandomOptions<D> & { backend?: undefined },
): NDArray<D>;
export function randn<D extends DType = 'float64'>(
  shape: readonly number[] | number,
  options: RandomOptions<D> = {},
): NDArray<D> | Promise<AnyArray> {
  if (options.backend !== undefined)
    return randomOn('randn', shape, { ...options, backend: options.backend }, true);
  return hostRandom('randn', shape, options, true);
}
