/**
 * Statistics, searches and comparisons over whole arrays or along axes (Julia's `mean`, `var`,
 * `std`, `any`, `all`, `findmax`, `findmin`, `argmax`, `argmin`, `findfirst`, `==`, `isequal`),
 * written once over the ops (`mapreduce`, `broadcast`) and the `findExtrema` kernel, so they run on
 * every array type. Axes are 0-based, as in NumPy; with `dims` the result is an array of the same
 * kind with the reduced axes kept at length 1, as Julia keeps them; without `dims` a number.
 */
import { ArgumentError, describe } from '../errors.js';
import type { Lambda } from './ir/types.js';
import { broadcast, collect, type Elementwise, mapreduce, sum } from './ops.js';
import { type AnyArray, release, type Same } from './protocol.js';
import { checkDims, type Dims, reducedCount, reducedShape } from './reduce-dims.js';
import { backendOf, getKernel, isArrayLike } from './registry.js';
import { sameShape, sizeOf } from './shape.js';

/** Options of the statistics: `dims` to work along those axes (0-based) instead of the whole array. */
export interface DimsOptions {
  dims?: Dims;
}
/** Options of {@link variance} and {@link std}. */
export interface VarianceOptions extends DimsOptions {
  /** Divide by n − 1 (Bessel's correction, the default, as Julia's `corrected = true`) or by n. */
  corrected?: boolean;
}

type Whole = { dims?: undefined };
type Along = { dims: Dims };

function checkArray(op: string, x: unknown): AnyArray {
  if (!isArrayLike(x)) throw new ArgumentError(`${op}: expected an array, got ${describe(x)}`);
  return x;
}

/** The arithmetic mean; with `{ dims }` along those axes (NaN over an empty extent, as Julia). */
export function mean(x: AnyArray, options?: Whole): Promise<number>;
export function mean<A extends AnyArray>(x: A, options: Along): Promise<Same<A>>;
export async function mean(x: AnyArray, options: DimsOptions = {}): Promise<number | AnyArray> {
  checkArray('mean', x);
  if (options.dims === undefined) return (await sum(x)) / sizeOf(x.shape);
  const n = reducedCount(x.shape, checkDims('mean', x.shape.length, options.dims));
  const s = await sum(x, { dims: options.dims });
  try {
    return await broadcast((v: number, k: number) => v / k, s, n);
  } finally {
    release(s);
  }
}

/**
 * The sample variance (divided by n − 1; by n with `corrected: false`); with `{ dims }` along those
 * axes. Julia's `var`; also exported under that name.
 */
export function variance(x: AnyArray, options?: VarianceOptions & Whole): Promise<number>;
export function variance<A extends AnyArray>(x: A, options: VarianceOptions & Along): Promise<Same<A>>;
export async function variance(x: AnyArray, options: VarianceOptions = {}): Promise<number | AnyArray> {
  checkArray('var', x);
  const { corrected = true } = options;
  if (typeof corrected !== 'boolean')
    throw new ArgumentError(`var: corrected must be true or false, got ${describe(corrected)}`);
  const whole = options.dims === undefined;
  const dims = whole ? x.shape.map((_, k) => k) : checkDims('var', x.shape.length, options.dims);
  const n = reducedCount(x.shape, dims);
  const temps: AnyArray[] = [];
  try {
    // Two passes (the mean, then squared deviations from it), which keeps float32 accurate.
    const m = whole ? await mean(x) : await mean(x, { dims });
    if (typeof m !== 'number') temps.push(m);
    const dev = await broadcast((a: number, b: number) => (a - b) * (a - b), x, m);
    temps.push(dev);
    const denom = n - (corrected ? 1 : 0);
    if (whole) return (await sum(dev)) / denom;
    const s = await sum(dev, { dims });
    temps.push(s);
    return await broadcast((v: number, k: number) => v / k, s, denom);
  } finally {
    for (const t of temps) release(t);
  }
}

/** The standard deviation, √{@link variance}, with the same options. */
export function std(x: AnyArray, options?: VarianceOptions & Whole): Promise<number>;
export function std<A extends AnyArray>(x: A, options: VarianceOptions & Along): Promise<Same<A>>;
export async function std(x: AnyArray, options: VarianceOptions = {}): Promise<number | AnyArray> {
  if (options.dims === undefined) return Math.sqrt(await variance(x, { ...options, dims: undefined }));
  const v = await variance(x, { ...options, dims: options.dims });
  try {
    return await broadcast((a: number) => Math.sqrt(a), v);
  } finally {
    release(v);
  }
}

const NONZERO = (v: number) => (v !== 0 ? 1 : 0);

/** Splits `(pred, x, options)` / `(x, options)` into its parts. */
function predicateArgs(
  op: string,
  a: AnyArray | Elementwise | Lambda,
  b: AnyArray | DimsOptions | undefined,
  c: DimsOptions | undefined,
): { pred: Elementwise | Lambda; x: AnyArray; options: DimsOptions } {
  if (isArrayLike(a)) return { pred: NONZERO, x: a, options: (b as DimsOptions | undefined) ?? {} };
  if (!isArrayLike(b))
    throw new ArgumentError(`${op}: expected (array) or (predicate, array), got ${describe(b)} as the array`);
  return { pred: a, x: b, options: c ?? {} };
}

function testAll(
  op: 'any' | 'all',
  a: AnyArray | Elementwise | Lambda,
  b: AnyArray | DimsOptions | undefined,
  c: DimsOptions | undefined,
): Promise<boolean | AnyArray> {
  const { pred, x, options } = predicateArgs(op, a, b, c);
  const fold = op === 'any' ? 'max' : 'min';
  const init = op === 'any' ? 0 : 1;
  // The predicate's 1 (true) or 0 (false) per element, folded by max (any) or min (all).
  if (options.dims === undefined)
    return mapreduce(pred, fold, x, { init }).then((v) => v !== 0 && !Number.isNaN(v));
  return mapreduce(pred, fold, x, { init, dims: options.dims });
}

/**
 * Whether any element is nonzero, or satisfies `pred`; with `{ dims }` along those axes, as an
 * array of 1 (true) and 0 (false) of x's dtype. False for an empty array.
 *
 * @example
 * await any((x) => x > 0.5, A); await any(A, { dims: 0 });
 */
export function any(x: AnyArray, options?: Whole): Promise<boolean>;
export function any<A extends AnyArray>(x: A, options: Along): Promise<Same<A>>;
export function any(pred: Elementwise | Lambda, x: AnyArray, options?: Whole): Promise<boolean>;
export function any<A extends AnyArray>(pred: Elementwise | Lambda, x: A, options: Along): Promise<Same<A>>;
export function any(
  a: AnyArray | Elementwise | Lambda,
  b?: AnyArray | DimsOptions,
  c?: DimsOptions,
): Promise<boolean | AnyArray> {
  return testAll('any', a, b, c);
}

/** Whether every element is nonzero, or satisfies `pred`; like {@link any}. True for an empty array. */
export function all(x: AnyArray, options?: Whole): Promise<boolean>;
export function all<A extends AnyArray>(x: A, options: Along): Promise<Same<A>>;
export function all(pred: Elementwise | Lambda, x: AnyArray, options?: Whole): Promise<boolean>;
export function all<A extends AnyArray>(pred: Elementwise | Lambda, x: A, options: Along): Promise<Same<A>>;
export function all(
  a: AnyArray | Elementwise | Lambda,
  b?: AnyArray | DimsOptions,
  c?: DimsOptions,
): Promise<boolean | AnyArray> {
  return testAll('all', a, b, c);
}

async function extrema(
  op: string,
  which: 'max' | 'min',
  x: AnyArray,
  options: DimsOptions,
): Promise<[number, number] | [AnyArray, AnyArray]> {
  checkArray(op, x);
  const whole = options.dims === undefined;
  const dims = whole ? x.shape.map((_, k) => k) : checkDims(op, x.shape.length, options.dims);
  if (reducedCount(x.shape, dims) === 0 && (whole || sizeOf(reducedShape(x.shape, dims)) > 0))
    throw new ArgumentError(
      `${op}: ${whole ? 'the array is empty' : 'the extent along dims is empty'} (shape [${x.shape}]); there is no ${which}imum to find`,
    );
  const [values, indices] = await getKernel('findExtrema', backendOf(op, [x]))(x, dims, which);
  if (!whole) return [values, indices];
  try {
    const [v, i] = await Promise.all([collect(values), collect(indices)]);
    return [v.data[0] as number, i.data[0] as number];
  } finally {
    release(values);
    release(indices);
  }
}

/**
 * The largest element and its 0-based linear index (row-major), NaN counting as largest and the
 * first one winning ties, as Julia's findmax. With `{ dims }`: an array of the maxima along those
 * axes and one of their linear indices into x (float64 on the host; on float32 GPU arrays exact
 * up to 2^24 elements).
 */
export function findmax(x: AnyArray, options?: Whole): Promise<[number, number]>;
export function findmax<A extends AnyArray>(x: A, options: Along): Promise<[Same<A>, Same<A>]>;
export function findmax(x: AnyArray, options: DimsOptions = {}) {
  return extrema('findmax', 'max', x, options);
}

/** The smallest element and its linear index; like {@link findmax}. */
export function findmin(x: AnyArray, options?: Whole): Promise<[number, number]>;
export function findmin<A extends AnyArray>(x: A, options: Along): Promise<[Same<A>, Same<A>]>;
export function findmin(x: AnyArray, options: DimsOptions = {}) {
  return extrema('findmin', 'min', x, options);
}

async function argOf(op: string, which: 'max' | 'min', x: AnyArray, options: DimsOptions) {
  const [v, i] = await extrema(op, which, x, options);
  if (typeof v !== 'number') release(v);
  return i;
}

/** The 0-based linear index of the largest element (see {@link findmax}); with `{ dims }` an array of them. */
export function argmax(x: AnyArray, options?: Whole): Promise<number>;
export function argmax<A extends AnyArray>(x: A, options: Along): Promise<Same<A>>;
export function argmax(x: AnyArray, options: DimsOptions = {}) {
  return argOf('argmax', 'max', x, options);
}

/** The 0-based linear index of the smallest element (see {@link findmin}); with `{ dims }` an array of them. */
export function argmin(x: AnyArray, options?: Whole): Promise<number>;
export function argmin<A extends AnyArray>(x: A, options: Along): Promise<Same<A>>;
export function argmin(x: AnyArray, options: DimsOptions = {}) {
  return argOf('argmin', 'min', x, options);
}

/**
 * The 0-based linear index of the first element that is nonzero, or satisfies `pred`; undefined
 * when there is none (Julia's `nothing`).
 *
 * @example
 * await findfirst((x) => x > 0.5, A);
 */
export async function findfirst(
  a: AnyArray | Elementwise | Lambda,
  b?: AnyArray,
): Promise<number | undefined> {
  const { pred, x } = predicateArgs('findfirst', a, b, undefined);
  if (sizeOf(x.shape) === 0) return undefined;
  const mask = await broadcast(pred, x);
  try {
    const [v, i] = await extrema('findfirst', 'max', mask, {});
    return v !== 0 ? (i as number) : undefined;
  } finally {
    release(mask);
  }
}

async function compare(op: string, a: AnyArray, b: AnyArray, same: Elementwise): Promise<boolean> {
  checkArray(op, a);
  checkArray(op, b);
  if (!sameShape(a.shape, b.shape)) return false;
  const eq = await broadcast(same, a, b);
  try {
    return await all(eq);
  } finally {
    release(eq);
  }
}

/**
 * Julia's `a == b` on arrays: the same shape and every pair of elements equal; NaN equals
 * nothing, not even NaN, and 0 equals −0. Arrays of different shapes are not equal (no error).
 */
export function equal(a: AnyArray, b: AnyArray): Promise<boolean> {
  return compare('equal', a, b, (x: number, y: number) => (x === y ? 1 : 0));
}

/**
 * Julia's `isequal(a, b)` on arrays: like {@link equal}, except that NaN is equal to NaN and 0 is
 * not equal to −0.
 */
export function isequal(a: AnyArray, b: AnyArray): Promise<boolean> {
  // The lambda syntax has no isNaN; `!x && !(x === 0)` is one (falsy but not zero). Neither
  // x !== x nor x !== 0 is: shader compilers fold them as if no value were NaN (seen on Dawn).
  return compare('isequal', a, b, (x: number, y: number) =>
    (x === y && (x !== 0 || 1 / x === 1 / y)) || (!x && !(x === 0) && !y && !(y === 0)) ? 1 : 0,
  );
}
