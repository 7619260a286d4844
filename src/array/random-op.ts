/**
 * The `random` op: random numbers made where the array lives (a WGSL kernel on webgpu, a loop on
 * the host), from the counter-based generator of random.ts, so a seed gives the same numbers on
 * every backend. `rand(shape, { backend })` makes a new array on a backend; `randInto(A)` and
 * `randnInto(A)` (Julia's `rand!(A)`, `randn!(A)`) refill any array in place, a DArray on its owners.
 */
import { ArgumentError, describe } from '../errors.js';
import { checkDType, type DType, type TypedArray } from './dtype.js';
import type { AnyArray, Awaitable, OutSpec } from './protocol.js';
import { freshSeed, globalIndexer, randomValue, seedKeys } from './random.js';
import { getBackend, getKernel, isArrayLike } from './registry.js';
import { checkShape } from './shape.js';

/** Where a generated block sits: the block `box` of a whole array of shape `dims`. */
export interface RandomBlock {
  readonly dims: readonly number[];
  readonly box: readonly (readonly [number, number])[];
}

/** What the `random` kernel draws. */
export interface RandomSpec {
  /** Standard normal instead of uniform in [0, 1). */
  readonly normal: boolean;
  /** A safe integer. */
  readonly seed: number;
  /** When the array is one block of a larger one (a DArray chunk): element indices are the whole array's. */
  readonly within?: RandomBlock;
}

declare module './protocol.js' {
  interface OpKernels {
    /** A new array of `out.shape` and `out.dtype` on the kernel's backend, or `out.into` refilled. */
    random(spec: RandomSpec, out: OutSpec): Awaitable<AnyArray>;
  }
}

/**
 * Fills `data` (a block of `shape`) with the numbers of `spec`: the host loop every backend's
 * kernel agrees with. `single` draws the 24-bit uniforms of float32 arrays.
 */
export function fillRandom(
  data: TypedArray,
  shape: readonly number[],
  spec: RandomSpec,
  single: boolean,
): void {
  const k = seedKeys(spec.seed);
  const draw = { normal: spec.normal, single };
  const w = spec.within;
  const index = w ? globalIndexer(w.dims, w.box) : (i: number) => i;
  if (w?.box.some(([lo, hi], d) => hi - lo !== shape[d]))
    throw new ArgumentError(
      `random: the block [${w.box.map((r) => r.join(':'))}] does not match shape [${shape}]`,
    );
  for (let i = 0; i < data.length; i++) data[i] = randomValue(k, index(i), draw);
}

/** Checks a seed, or makes one when it is absent. */
export function checkSeed(op: string, seed: unknown): number {
  if (seed === undefined) return freshSeed();
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
    throw new ArgumentError(`${op}: seed must be a non-negative integer, got ${describe(seed)}`);
  return seed;
}

/** Options of {@link randInto} and {@link randnInto}. */
export interface RandIntoOptions {
  /** Seed for reproducible numbers (the same as `rand(shape, { seed })` gives); without one each call differs. */
  seed?: number;
}

async function into<A extends AnyArray>(
  op: string,
  A: A,
  normal: boolean,
  opts: RandIntoOptions,
): Promise<A> {
  if (!isArrayLike(A)) throw new ArgumentError(`${op}: expected an array to fill, got ${describe(A)}`);
  if (normal && A.dtype !== 'float32' && A.dtype !== 'float64')
    throw new ArgumentError(`${op}: normal numbers need a float32 or float64 array, got ${A.dtype}`);
  const seed = checkSeed(op, opts?.seed);
  await getKernel('random', A.backend)({ normal, seed }, { shape: A.shape, dtype: A.dtype, into: A });
  return A;
}

/**
 * Refills `A` in place with uniform random numbers in [0, 1) (Julia's `rand!(A)`), where it lives:
 * on its device, or on a DArray's owners. Resolves to `A`.
 *
 * @example await randInto(g, { seed: 7 }); // the same numbers as rand(g.shape, { seed: 7, dtype: 'float32' })
 */
export function randInto<A extends AnyArray>(A: A, opts: RandIntoOptions = {}): Promise<A> {
  return into('randInto', A, false, opts);
}

/** Refills `A` in place with standard normal numbers (Julia's `randn!(A)`); see {@link randInto}. */
export function randnInto<A extends AnyArray>(A: A, opts: RandIntoOptions = {}): Promise<A> {
  return into('randnInto', A, true, opts);
}

/** A new random array made by backend `backend`'s `random` kernel (on its device for a GPU backend). */
export async function randomOn(
  op: string,
  shape: readonly number[] | number,
  opts: { dtype?: DType; seed?: number; backend: string },
  normal: boolean,
): Promise<AnyArray> {
  const s = checkShape(shape);
  const dtype = checkDType(opts.dtype ?? 'float64', 'options.dtype');
  const seed = checkSeed(op, opts.seed);
  if (typeof opts.backend !== 'string')
    throw new ArgumentError(
      `${op}: backend must be a backend name such as 'webgpu', got ${describe(opts.backend)}`,
    );
  if (opts.backend === 'darray')
    throw new ArgumentError(`${op}: a DArray needs its processes; use drand(dims, { procs, seed }) instead`);
  await getBackend(opts.backend);
  return getKernel('random', opts.backend)({ normal, seed }, { shape: s, dtype });
}
