/**
 * The array ops: free functions that validate their arguments, then dispatch on the backend of the
 * arrays they are given (see protocol.ts). Every op returns a Promise, whatever the array type.
 */
import { ArgumentError, describe } from '../errors.js';
import { resultDType } from './dtype.js';
import { lambdaOf } from './ir/cache.js';
import { emptyResult, planReduce } from './ir/reduce-plan.js';
import type { Lambda } from './ir/types.js';
import type { NDArray } from './ndarray.js';
import type { AnyArray, Operand, Reducer, Same } from './protocol.js';
import { checkDims, type Dims, reducedCount, reducedShape } from './reduce-dims.js';
import { backendOf, getKernel, isArrayLike } from './registry.js';
import { broadcastShapes, sameShape, sizeOf } from './shape.js';

/** A function accepted as a broadcast lambda: an arrow function over numbers, or its source text. */
export type Elementwise = ((...args: number[]) => number | boolean) | string;

function checkArray(op: string, x: unknown, arg: string): AnyArray {
  if (!isArrayLike(x)) throw new ArgumentError(`${op}: ${arg} must be an array, got ${describe(x)}`);
  return x;
}

/**
 * Applies `fn` elementwise over arrays and numbers broadcast together (NumPy's shape rule), as one
 * fused loop. The result is float32 when every array argument is float32, float64 otherwise.
 *
 * @example
 * const C = await broadcast((a, b) => 2 * a / b, A, B); // Julia: 2 .* A ./ B
 */
export async function broadcast<T extends readonly Operand[]>(
  fn: Elementwise | Lambda,
  ...args: T
): Promise<Same<Extract<T[number], AnyArray>>> {
  const lambda = lambdaOf(fn);
  if (lambda.params.length !== args.length)
    throw new ArgumentError(
      `broadcast: the lambda takes ${lambda.params.length} parameters (${lambda.params.join(', ')}) ` +
        `but ${args.length} arguments were given`,
    );
  const arrays: AnyArray[] = [];
  args.forEach((a, i) => {
    if (typeof a === 'number') return;
    arrays.push(checkArray('broadcast', a, `argument ${i + 1}`));
  });
  if (arrays.length === 0) throw new ArgumentError('broadcast: at least one argument must be an array');
  const shape = broadcastShapes(arrays.map((a) => a.shape));
  const dtype = resultDType(arrays.map((a) => a.dtype));
  const backend = backendOf('broadcast', arrays);
  const out = await getKernel('broadcast', backend)(lambda, args, { shape, dtype });
  return out as Same<Extract<T[number], AnyArray>>;
}

/**
 * Like {@link broadcast}, but writes the result into `out` (Julia's `out .= f.(args...)`), which
 * must have the broadcast shape and dtype and may be one of the arguments. Resolves to `out`.
 *
 * @example
 * await broadcastInto(a, (x, y) => x + 3 * y, a, b); // a .+= 3 .* b
 */
export async function broadcastInto<A extends AnyArray>(
  out: A,
  fn: Elementwise | Lambda,
  ...args: readonly Operand[]
): Promise<A> {
  checkArray('broadcastInto', out, 'out');
  const lambda = lambdaOf(fn);
  const arrays = args.filter((a): a is AnyArray => typeof a !== 'number');
  const shape = broadcastShapes([out.shape, ...arrays.map((a) => a.shape)]);
  if (!sameShape(shape, out.shape))
    throw new ArgumentError(
      `broadcastInto: out has shape [${out.shape}] but the result has shape [${shape}]`,
    );
  if (lambda.params.length !== args.length)
    throw new ArgumentError(
      `broadcastInto: the lambda takes ${lambda.params.length} parameters but ${args.length} arguments were given`,
    );
  const backend = backendOf('broadcastInto', [out, ...arrays]);
  await getKernel('broadcast', backend)(lambda, args, { shape, dtype: out.dtype, into: out });
  return out;
}

/**
 * Applies `fn` to each element, or with several arrays to the elements at each index (Julia's
 * `map(f, A, B, C)`): the arrays must all have the same shape, and there is no broadcasting of
 * size-1 dimensions or numbers. One fused kernel, like {@link broadcast}.
 *
 * @example
 * await map((x) => x * x, A);
 * await map((a, b, c) => a * b + c, A, B, C); // Julia: map((a, b, c) -> a * b + c, A, B, C)
 */
export async function map<A extends AnyArray>(
  fn: Elementwise | Lambda,
  x: A,
  ...more: readonly AnyArray[]
): Promise<Same<A>> {
  checkArray('map', x, 'argument 1');
  more.forEach((y, i) => {
    checkArray('map', y, `argument ${i + 2}`);
    if (!sameShape(y.shape, x.shape))
      throw new ArgumentError(
        `map: every array must have the same shape, but argument 1 has shape [${x.shape}] and argument ${i + 2} has shape [${y.shape}]; use broadcast() to combine different shapes`,
      );
  });
  return broadcast(fn, x, ...more) as Promise<Same<A>>;
}

/** Options of the reductions. */
export interface ReduceOptions {
  /** The starting value; required to reduce an empty array with min, max or a lambda. */
  init?: number;
  /**
   * Reduce along these axes only (0-based, as in NumPy; one axis or several): the result is then
   * an array of the same kind whose reduced axes are kept with length 1, as Julia keeps them.
   * Without `dims` the whole array reduces to a number.
   */
  dims?: Dims;
}

/** Options of a reduction along axes: {@link ReduceOptions} with `dims` given. */
export type AlongDims = ReduceOptions & { dims: Dims };
/** Options of a reduction to a number: {@link ReduceOptions} without `dims`. */
export type WholeArray = ReduceOptions & { dims?: undefined };

function reducerOf(op: string, r: Elementwise | Lambda | Reducer): Reducer {
  if (r === 'sum' || r === 'prod' || r === 'min' || r === 'max') return r;
  const l = lambdaOf(r);
  if (l.params.length !== 2)
    throw new ArgumentError(`${op}: the reducer must take two parameters (acc, x), got ${l.params.length}`);
  // A lambda that is a built-in fold ((a, b) => a + b) is recognised by the kernels' reduce plan.
  return l;
}

/**
 * Maps each element with `f`, then folds the results with `op` (a two-parameter lambda or one of
 * 'sum', 'prod', 'min', 'max'). With `dims`, folds along those axes only and resolves to an array
 * of the same kind with the reduced axes kept at length 1 (Julia's `mapreduce(f, op, A; dims)`).
 *
 * @example
 * await mapreduce((x) => x * x, (a, b) => a + b, v); // Σ v[i]²
 * await mapreduce((x) => x * x, 'sum', M, { dims: 1 }); // row sums of squares, shape [m, 1]
 */
export function mapreduce(
  f: Elementwise | Lambda | null,
  op: Elementwise | Lambda | Reducer,
  x: AnyArray,
  options?: WholeArray,
): Promise<number>;
export function mapreduce<A extends AnyArray>(
  f: Elementwise | Lambda | null,
  op: Elementwise | Lambda | Reducer,
  x: A,
  options: AlongDims,
): Promise<Same<A>>;
export function mapreduce(
  f: Elementwise | Lambda | null,
  op: Elementwise | Lambda | Reducer,
  x: AnyArray,
  options?: ReduceOptions,
): Promise<number | AnyArray>;
export function mapreduce(
  f: Elementwise | Lambda | null,
  op: Elementwise | Lambda | Reducer,
  x: AnyArray,
  options: ReduceOptions = {},
): Promise<number | AnyArray> {
  return reduceAs('mapreduce', f, op, x, options);
}

/** mapreduce, naming `name` (sum, max, …) in its errors. */
async function reduceAs(
  name: string,
  f: Elementwise | Lambda | null,
  op: Elementwise | Lambda | Reducer,
  x: AnyArray,
  options: ReduceOptions,
): Promise<number | AnyArray> {
  const m = f === null ? null : lambdaOf(f);
  if (m && m.params.length !== 1)
    throw new ArgumentError(`${name}: the map lambda must take one parameter, got ${m.params.length}`);
  checkArray(name, x, 'x');
  const reducer = reducerOf(name, op);
  if (options.dims === undefined)
    return getKernel('mapreduce', backendOf(name, [x]))(m, reducer, x, options.init);
  const dims = checkDims(name, x.shape.length, options.dims);
  // No element folds into a result element: the one empty rule (sum 0, prod 1, else init or an error).
  if (reducedCount(x.shape, dims) === 0 && sizeOf(reducedShape(x.shape, dims)) > 0)
    emptyResult({ ...planReduce(m, reducer, options.init), name }, 'the extent along dims');
  return getKernel('reduceDims', backendOf(name, [x]))(m, reducer, x, dims, options.init);
}

/** Folds the elements with `op`: `reduce((a, b) => a + b, v)` is `sum(v)`; with `dims` along axes. */
export function reduce(
  op: Elementwise | Lambda | Reducer,
  x: AnyArray,
  options?: WholeArray,
): Promise<number>;
export function reduce<A extends AnyArray>(
  op: Elementwise | Lambda | Reducer,
  x: A,
  options: AlongDims,
): Promise<Same<A>>;
export function reduce(op: Elementwise | Lambda | Reducer, x: AnyArray, options: ReduceOptions = {}) {
  return reduceAs('reduce', null, op, x, options);
}

/** Sum of all elements (0 for an empty array); with `{ dims }` along those axes, kept at length 1. */
export function sum(x: AnyArray, options?: { dims?: undefined }): Promise<number>;
export function sum<A extends AnyArray>(x: A, options: { dims: Dims }): Promise<Same<A>>;
export function sum(x: AnyArray, options: { dims?: Dims } = {}) {
  return reduceAs('sum', null, 'sum', x, { dims: options.dims });
}

/** Product of all elements (1 for an empty array); with `{ dims }` along those axes, kept at length 1. */
export function prod(x: AnyArray, options?: { dims?: undefined }): Promise<number>;
export function prod<A extends AnyArray>(x: A, options: { dims: Dims }): Promise<Same<A>>;
export function prod(x: AnyArray, options: { dims?: Dims } = {}) {
  return reduceAs('prod', null, 'prod', x, { dims: options.dims });
}

/** Smallest element (NaN if any is NaN); an empty array needs `init`; with `{ dims }` along those axes. */
export function min(x: AnyArray, options?: WholeArray): Promise<number>;
export function min<A extends AnyArray>(x: A, options: AlongDims): Promise<Same<A>>;
export function min(x: AnyArray, options: ReduceOptions = {}) {
  return reduceAs('min', null, 'min', x, options);
}

/** Largest element (NaN if any is NaN); an empty array needs `init`; with `{ dims }` along those axes. */
export function max(x: AnyArray, options?: WholeArray): Promise<number>;
export function max<A extends AnyArray>(x: A, options: AlongDims): Promise<Same<A>>;
export function max(x: AnyArray, options: ReduceOptions = {}) {
  return reduceAs('max', null, 'max', x, options);
}

/**
 * The p-norm of all elements: p = 2 (default, Euclidean/Frobenius), 1, Infinity, or any real p.
 * Computed without overflow or underflow for huge or tiny elements.
 *
 * @example
 * await norm(array([3, 4])); // 5
 */
export async function norm(x: AnyArray, p = 2): Promise<number> {
  checkArray('norm', x, 'x');
  if (typeof p !== 'number' || Number.isNaN(p))
    throw new ArgumentError(`norm: p must be a number such as 1, 2 or Infinity, got ${describe(p)}`);
  return getKernel('norm', backendOf('norm', [x]))(x, p);
}

/** The dot product Σ x[i]·y[i] of two arrays of the same shape. */
export async function dot(x: AnyArray, y: AnyArray): Promise<number> {
  checkArray('dot', x, 'x');
  checkArray('dot', y, 'y');
  if (!sameShape(x.shape, y.shape))
    throw new ArgumentError(`dot: shapes [${x.shape}] and [${y.shape}] differ; dot needs equal shapes`);
  return getKernel('dot', backendOf('dot', [x, y]))(x, y);
}

/** Options of {@link mul}. */
export interface MulOptions {
  /** Scales the product, as Julia's `mul!(y, A, x, α)` does, in the same pass (default 1). */
  alpha?: number;
}

/**
 * Matrix product: matrix–vector (m×k times k gives m) or matrix–matrix (m×k times k×n gives m×n),
 * optionally scaled by `alpha`.
 *
 * @example
 * const y = await mul(M, v); // Julia: M * v
 * const z = await mul(M, v, { alpha: 0.5 }); // Julia: mul!(z, M, v, 0.5)
 */
export async function mul<A extends AnyArray, B extends AnyArray>(
  a: A,
  b: B,
  { alpha = 1 }: MulOptions = {},
): Promise<Same<A | B>> {
  checkArray('mul', a, 'a');
  checkArray('mul', b, 'b');
  if (typeof alpha !== 'number' || !Number.isFinite(alpha))
    throw new ArgumentError(`mul: alpha must be a finite number, got ${describe(alpha)}`);
  if (a.shape.length !== 2 || (b.shape.length !== 1 && b.shape.length !== 2))
    throw new ArgumentError(
      `mul: expected a matrix times a vector or a matrix, got shapes [${a.shape}] and [${b.shape}]`,
    );
  const [m = 0, k = 0] = a.shape;
  if (b.shape[0] !== k)
    throw new ArgumentError(
      `mul: inner dimensions differ: [${a.shape}] times [${b.shape}] needs ${k} rows in the second`,
    );
  const shape = b.shape.length === 1 ? [m] : [m, b.shape[1] ?? 0];
  const dtype = resultDType([a.dtype, b.dtype]);
  const out = alpha === 1 ? { shape, dtype } : { shape, dtype, alpha };
  return (await getKernel('mul', backendOf('mul', [a, b]))(a, b, out)) as Same<A | B>;
}

/** The transpose of a matrix (a vector becomes a 1×n matrix). */
export async function transpose<A extends AnyArray>(a: A): Promise<Same<A>> {
  checkArray('transpose', a, 'a');
  if (a.shape.length !== 1 && a.shape.length !== 2)
    throw new ArgumentError(`transpose: expected a vector or a matrix, got shape [${a.shape}]`);
  return (await getKernel('transpose', backendOf('transpose', [a]))(a)) as Same<A>;
}

/** Brings any array to the host as an NDArray (an NDArray is returned as is). */
export async function collect(x: AnyArray): Promise<NDArray> {
  checkArray('collect', x, 'x');
  return getKernel('collect', backendOf('collect', [x]))(x);
}
