/**
 * The shape ops: reshape, similar, cat/vcat/hcat, permutedims, repeat, circshift and eye. Each
 * validates its arguments here, backend-neutrally, and calls the kernel of its arrays' backend.
 * Axes are 0-based (as `transpose` and a DArray's `dist` number them) and arrays are row-major, so
 * `reshape` keeps NumPy's (C) element order, not Julia's column-major one.
 */
import { ArgumentError, describe } from '../errors.js';
import { checkDType, type DType, resultDType } from './dtype.js';
import type { AnyArray, Awaitable, Same } from './protocol.js';
import { backendOf, getKernel, isArrayLike } from './registry.js';
import { checkShape, sizeOf } from './shape.js';

declare module './protocol.js' {
  interface OpKernels {
    /** The same elements in row-major order under `shape` (same size). */
    reshape(a: AnyArray, shape: readonly number[]): Awaitable<AnyArray>;
    /** Result dimension k is dimension perm[k] of `a` (perm is a checked permutation). */
    permutedims(a: AnyArray, perm: readonly number[]): Awaitable<AnyArray>;
    /** Elements moved `shifts[k]` places along each dimension, wrapping (shifts in [0, n)). */
    circshift(a: AnyArray, shifts: readonly number[]): Awaitable<AnyArray>;
    /** Julia's repeat(a; inner, outer); a.shape padded with 1s to the counts' length by the op. */
    repeat(a: AnyArray, inner: readonly number[], outer: readonly number[]): Awaitable<AnyArray>;
    /** Arrays (each padded to out.shape's rank) joined along `dim`; out has the joined shape and dtype. */
    cat(
      arrays: readonly AnyArray[],
      dim: number,
      out: { shape: readonly number[]; dtype: DType },
    ): Awaitable<AnyArray>;
    /** A new zero-filled array of `shape` and `dtype`, of the same kind (and layout, for a DArray) as `a`. */
    similar(a: AnyArray, shape: readonly number[], dtype: DType): Awaitable<AnyArray>;
    /** The n×m matrix with `value` on the diagonal, on this backend (dispatched by backend name). */
    eye(n: number, m: number, value: number, dtype: DType): Awaitable<AnyArray>;
  }
}

function checkArray(op: string, x: unknown, arg = 'A'): AnyArray {
  if (!isArrayLike(x)) throw new ArgumentError(`${op}: ${arg} must be an array, got ${describe(x)}`);
  return x;
}

function checkCounts(op: string, v: unknown, arg: string, min: number): number[] {
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || !list.every((k) => Number.isInteger(k) && k >= min))
    throw new ArgumentError(
      `${op}: ${arg} must be ${min === 0 ? 'non-negative' : 'positive'} integers (one per dimension), got ${describe(v)}`,
    );
  return list as number[];
}

/**
 * The same elements under a new shape, read and written in row-major (C) order as NumPy does
 * (Julia's reshape is column-major: reshape(1:6, 2, 3) differs). One extent may be -1, inferred.
 * An NDArray's result shares its data (a view); GPU arrays and DArrays get a new array (a DArray's
 * chunks are redistributed worker to worker to its default layout over the same owners).
 *
 * @example await reshape(array([1, 2, 3, 4, 5, 6]), [2, -1]) // [[1, 2, 3], [4, 5, 6]]
 */
export async function reshape<A extends AnyArray>(A: A, shape: readonly number[] | number): Promise<Same<A>> {
  checkArray('reshape', A);
  const raw = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(raw) || !raw.every((d) => Number.isInteger(d) && d >= -1))
    throw new ArgumentError(`reshape: shape must be integers (one may be -1), got ${describe(shape)}`);
  const size = sizeOf(A.shape);
  const free = raw.filter((d) => d === -1).length;
  if (free > 1) throw new ArgumentError(`reshape: at most one extent may be -1, got [${raw.join(', ')}]`);
  const known = raw.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const dims = raw.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (!dims.every(Number.isInteger) || sizeOf(dims) !== size)
    throw new ArgumentError(
      `reshape: an array of shape [${A.shape.join(', ')}] has ${size} elements; shape [${raw.join(', ')}] cannot hold them`,
    );
  return (await getKernel('reshape', backendOf('reshape', [A]))(A, dims)) as Same<A>;
}

/** Options of {@link similar}. */
export interface SimilarOptions {
  /** Element type (default: A's; GPU arrays are float32 whatever is asked). */
  dtype?: DType;
  /** Shape (default: A's). */
  shape?: readonly number[];
}

/**
 * A new array of the same kind as `A` (NDArray, GPUArray on the same backend, DArray with the same
 * chunk backend and, for the same shape, the same layout), filled with zeros. Julia's similar leaves
 * it uninitialised; darray zeroes it so that no stale memory leaks into results.
 *
 * @example const B = await similar(gA, { shape: [4, 4] }) // zeros on gA's GPU backend
 */
export async function similar<A extends AnyArray>(A: A, options: SimilarOptions = {}): Promise<Same<A>> {
  checkArray('similar', A);
  const dtype = checkDType(options.dtype ?? A.dtype, 'similar: dtype');
  const shape = options.shape === undefined ? [...A.shape] : checkShape(options.shape, 'similar: shape');
  return (await getKernel('similar', backendOf('similar', [A]))(A, shape, dtype)) as Same<A>;
}

/** Options of {@link cat}. */
export interface CatOptions {
  /** The 0-based axis to join along; it may be one past the last, which adds a dimension. */
  dims: number;
}

/**
 * Joins arrays along axis `dims` (Julia's cat(A...; dims)). Shapes must agree except along that
 * axis; missing trailing dimensions count as 1 (a vector of n is n×1, as in Julia).
 *
 * @example await cat([A, B], { dims: 1 }) // side by side
 */
export async function cat<A extends AnyArray>(arrays: readonly A[], options: CatOptions): Promise<Same<A>> {
  if (!Array.isArray(arrays) || arrays.length === 0)
    throw new ArgumentError(`cat: expected a non-empty list of arrays, got ${describe(arrays)}`);
  for (const [i, a] of arrays.entries()) checkArray('cat', a, `array ${i}`);
  const dim = options?.dims;
  if (!Number.isInteger(dim) || dim < 0)
    throw new ArgumentError(`cat: dims must be a non-negative axis (0 joins rows), got ${describe(dim)}`);
  const nd = Math.max(dim + 1, ...arrays.map((a) => a.shape.length));
  const padded = arrays.map((a) => [...a.shape, ...new Array<number>(nd - a.shape.length).fill(1)]);
  const first = padded[0] as number[];
  padded.forEach((s, i) => {
    if (s.some((n, k) => k !== dim && n !== first[k]))
      throw new ArgumentError(
        `cat: array ${i} has shape [${arrays[i]?.shape.join(', ')}] but array 0 has [${arrays[0]?.shape.join(', ')}]; ` +
          `shapes must match except along axis ${dim}`,
      );
  });
  const shape = first.map((n, k) => (k === dim ? padded.reduce((t, s) => t + (s[k] as number), 0) : n));
  const dts = arrays.map((a) => a.dtype);
  // Equal dtypes are kept (int32 stays int32); mixed ones widen as broadcast's results do.
  const dtype = dts.every((d) => d === dts[0]) ? (dts[0] as DType) : resultDType(dts);
  const out = await getKernel('cat', backendOf('cat', arrays))(arrays, dim, { shape, dtype });
  return out as Same<A>;
}

/** Stacks arrays along axis 0 (rows), Julia's vcat. */
export function vcat<A extends AnyArray>(...arrays: A[]): Promise<Same<A>> {
  return cat(arrays, { dims: 0 });
}

/** Joins arrays along axis 1 (columns; vectors become columns), Julia's hcat. */
export function hcat<A extends AnyArray>(...arrays: A[]): Promise<Same<A>> {
  return cat(arrays, { dims: 1 });
}

/**
 * Reorders the axes: result axis k is axis perm[k] of A (default: all reversed, so a matrix is
 * transposed). Julia's permutedims with 0-based axes.
 *
 * @example (await permutedims(zeros([2, 3, 4]), [2, 0, 1])).shape // [4, 2, 3]
 */
export async function permutedims<A extends AnyArray>(A: A, perm?: readonly number[]): Promise<Same<A>> {
  checkArray('permutedims', A);
  const nd = A.shape.length;
  const p = perm ?? A.shape.map((_, k) => nd - 1 - k);
  if (
    !Array.isArray(p) ||
    p.length !== nd ||
    !p.every((k) => Number.isInteger(k) && k >= 0 && k < nd) ||
    new Set(p).size !== nd
  )
    throw new ArgumentError(
      `permutedims: perm must be a permutation of 0..${nd - 1} for shape [${A.shape.join(', ')}], got ${describe(perm)}`,
    );
  return (await getKernel('permutedims', backendOf('permutedims', [A]))(A, p)) as Same<A>;
}

/** Options of {@link repeat}: Julia's keywords. */
export interface RepeatOptions {
  /** Each element repeated this many times along each axis. */
  inner?: readonly number[];
  /** The whole (inner-repeated) array repeated this many times along each axis. */
  outer?: readonly number[];
}

/**
 * Julia's repeat: `repeat(A, [2, 3])` tiles A twice down and three times across (outer counts);
 * `repeat(A, { inner, outer })` also repeats each element. More counts than axes add axes of 1
 * at the end first (a vector of n is n×1).
 *
 * @example await repeat(array([1, 2]), { inner: [2] }) // [1, 1, 2, 2]
 */
export async function repeat<A extends AnyArray>(
  A: A,
  counts: readonly number[] | number | RepeatOptions,
): Promise<Same<A>> {
  checkArray('repeat', A);
  const opts: RepeatOptions =
    typeof counts === 'number' || Array.isArray(counts)
      ? { outer: checkCounts('repeat', counts, 'counts', 0) }
      : (counts as RepeatOptions);
  if (opts === null || typeof opts !== 'object')
    throw new ArgumentError(`repeat: expected counts or { inner, outer }, got ${describe(counts)}`);
  const inner = checkCounts('repeat', opts.inner ?? [], 'inner', 0);
  const outer = checkCounts('repeat', opts.outer ?? [], 'outer', 0);
  const nd = Math.max(A.shape.length, inner.length, outer.length);
  const pad = (v: number[]) => [...v, ...new Array<number>(nd - v.length).fill(1)];
  return (await getKernel('repeat', backendOf('repeat', [A]))(A, pad(inner), pad(outer))) as Same<A>;
}

/**
 * Shifts the elements circularly: `shifts[k]` places along axis k (a number shifts axis 0; missing
 * axes are not shifted; negative shifts go the other way), Julia's circshift.
 *
 * @example await circshift(array([1, 2, 3, 4]), 1) // [4, 1, 2, 3]
 */
export async function circshift<A extends AnyArray>(
  A: A,
  shifts: readonly number[] | number,
): Promise<Same<A>> {
  checkArray('circshift', A);
  const list = typeof shifts === 'number' ? [shifts] : shifts;
  if (!Array.isArray(list) || !list.every(Number.isInteger) || list.length > A.shape.length)
    throw new ArgumentError(
      `circshift: shifts must be integers, at most one per axis of shape [${A.shape.join(', ')}], got ${describe(shifts)}`,
    );
  const s = A.shape.map((n, k) => (n === 0 ? 0 : (((list[k] ?? 0) % n) + n) % n));
  return (await getKernel('circshift', backendOf('circshift', [A]))(A, s)) as Same<A>;
}

/** Options of {@link eye}. */
export interface EyeOptions {
  dtype?: DType;
  /** Number of columns (default n): Julia's `Matrix(I, n, m)`. */
  m?: number;
  /** The diagonal value (default 1): Julia's `Matrix(value * I, n, m)`. */
  value?: number;
  /** The backend to make it on: 'cpu' (default, an NDArray) or a GPU backend. */
  backend?: string;
}

/**
 * The n×n identity matrix (Julia's `Matrix(I, n, n)`, CuPy's `eye`), or n×m with `value` on the
 * diagonal; on a GPU backend it is made on the device. For a DArray use `deye`.
 *
 * @example const I = await eye(3, { backend: 'webgpu' })
 */
export async function eye(n: number, options: EyeOptions = {}): Promise<AnyArray> {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`eye: n must be a non-negative integer, got ${describe(n)}`);
  const dtype = checkDType(options.dtype ?? 'float64', 'eye: dtype');
  const m = options.m ?? n;
  if (!Number.isInteger(m) || m < 0)
    throw new ArgumentError(
      `eye: m (the number of columns) must be a non-negative integer, got ${describe(m)}`,
    );
  const value = options.value ?? 1;
  if (typeof value !== 'number')
    throw new ArgumentError(`eye: value must be a number, got ${describe(value)}`);
  const backend = options.backend ?? 'cpu';
  if (typeof backend !== 'string' || backend === 'darray')
    throw new ArgumentError(
      `eye: backend must be 'cpu' or a GPU backend name (use deye for a DArray), got ${describe(backend)}`,
    );
  return getKernel('eye', backend)(n, m, value, dtype);
}
