/**
 * The array protocol: what every array type (NDArray, GPUArray, DArray) provides so that ops and
 * generic algorithms such as `powerMethod` are written once.
 *
 * How it works, for implementers of a new array type or backend:
 * - An array exposes `backend` (a name), `dtype` and `shape` ({@link AnyArray}). NDArray's backend
 *   is 'cpu'. A GPUArray reports its GPU backend ('webgpu', 'tfjs', …); a DArray reports 'darray'.
 * - Every op (`broadcast`, `mapreduce`, `norm`, `dot`, `mul`, `transpose`, `collect`, and
 *   `matvecBlock` in matvec-block.ts) is a free function in src/array/. It validates its arguments backend-neutrally (arity, shapes,
 *   result dtype), picks the backend of its array arguments (`backendOf`: NDArrays and numbers
 *   join any other backend; two different non-cpu backends are an error), and calls the kernel
 *   registered for (op, backend) with `registerKernel` (registry.ts). A missing kernel throws
 *   MissingKernelError naming both. Kernels get validated inputs; see {@link OpKernels} for each
 *   signature. A kernel may return a value or a Promise; the op always returns a Promise.
 * - Kernels are whole ops, not element loops, so a DArray can intercept `broadcast` or `mul` and
 *   run per-chunk kernels on its workers, and a GPU backend can generate WGSL from the lambda IR
 *   (src/array/ir/types.ts, plain JSON) that `broadcast` and `mapreduce` receive.
 * - Kernels for 'cpu' receive NDArrays only. Kernels for another backend may receive NDArrays
 *   mixed with their own arrays (e.g. `broadcast((a, b) => a + b, gpuA, hostB)`) and upload them.
 * - New ops are added by declaration merging on {@link OpKernels} and a free function that calls
 *   `dispatch`; new array types only register kernels and never edit this module.
 * - Backends (instances such as a GPU device) register by name with a factory and a priority
 *   (`registerBackend`); `findBackend()` picks the highest-priority one whose factory succeeds.
 * - The shared test suite (`darray/testsuite`, src/testsuite/index.ts) runs every op on a backend against this CPU
 *   reference; a new array type passes it before it is done.
 */
import type { DType } from './dtype.js';
import type { Lambda } from './ir/types.js';
import type { NDArray } from './ndarray.js';

/** What every array type implements: a backend name, an element type and a row-major shape. */
export interface AnyArray {
  readonly backend: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /**
   * Frees device or remote memory at once (GPU buffers, DArray chunks on workers; an NDArray's
   * block in the shared WASM heap). Optional; without it the garbage collector frees the array. Generic algorithms call {@link release} on their
   * temporaries so that GPU and distributed runs do not wait for the GC.
   */
  dispose?(): void;
}

/** Frees a temporary array made inside an algorithm, unless it is one of `keep` (the caller's own). */
export function release(x: AnyArray | undefined, ...keep: readonly unknown[]): void {
  if (x && !keep.includes(x)) x.dispose?.();
}

/** An argument of broadcast: an array of any type or a plain number. */
export type Operand = AnyArray | number;

/** A value or a Promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** The array type an op returns for inputs of type A: the same kind, with any dtype. */
export type Same<A> = A extends NDArray ? NDArray : A;

/** A reduction: one of the built-ins, or a two-parameter lambda `(acc, x) => …`. */
export type Reducer = 'sum' | 'prod' | 'min' | 'max' | Lambda;

/** The result shape and dtype an op has already worked out for its kernel. */
export interface OutSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * For broadcast: an existing array of this shape and dtype, on the kernel's backend, to write
   * into instead of allocating (`broadcastInto`). It may be one of the inputs.
   */
  readonly into?: AnyArray;
  /** For mul: the product is scaled by this (Julia's `mul!(y, A, x, α)`); absent means 1. */
  readonly alpha?: number;
}

/**
 * The kernel signature of each op. Inputs are validated by the op before the kernel runs: shapes
 * broadcast or match, lambdas have the right arity, matrices have matching inner dimensions.
 */
export interface OpKernels {
  /** Elementwise `lambda` over `args` broadcast to `out.shape`: a new array of `out.dtype`, or `out.into`. */
  broadcast(lambda: Lambda, args: readonly Operand[], out: OutSpec): Awaitable<AnyArray>;
  /** Folds `map(x[i])` (or `x[i]` when map is null) with `reducer`, starting from `init` if given. */
  mapreduce(map: Lambda | null, reducer: Reducer, x: AnyArray, init: number | undefined): Awaitable<number>;
  /** The p-norm of all elements (p = 1, 2, Infinity, or any other real p), avoiding overflow. */
  norm(x: AnyArray, p: number): Awaitable<number>;
  /** Sum of `x[i] * y[i]` over arrays of equal shape. */
  dot(x: AnyArray, y: AnyArray): Awaitable<number>;
  /** Matrix–vector (a: m×k, b: k → m) or matrix–matrix (a: m×k, b: k×n → m×n) product. */
  mul(a: AnyArray, b: AnyArray, out: OutSpec): Awaitable<AnyArray>;
  /** A new 2-d array with rows and columns swapped (a vector becomes a 1×n matrix). */
  transpose(a: AnyArray): Awaitable<AnyArray>;
  /** The array's contents on the host. */
  collect(x: AnyArray): Awaitable<NDArray>;
  /**
   * In place on `y` (a vector on the kernel's backend): rows of the matrix block
   * `a[:, start:start+x.size]` times `x`, written over `y` or added to it (see {@link ColumnBlock}).
   * The block products a DArray owner streams while its peers' pieces of a vector arrive; a
   * backend without it gets the whole-product path (`mul`) instead.
   */
  matvecBlock(a: AnyArray, x: AnyArray, y: AnyArray, block: ColumnBlock): Awaitable<void>;
}

/**
 * A block of a matrix for `matvecBlock`: x.size columns from `start`, over all rows or over `rows`;
 * x holds the block's part of the vector, y the whole result.
 */
export interface ColumnBlock {
  /** First column of the block; x.size columns from there. */
  start: number;
  /** Add the block's product to y instead of replacing y. */
  accumulate: boolean;
  /** Rows [first, end) of the block (default: all). */
  rows?: readonly [number, number];
}

/** Name of an op with a kernel. */
export type OpName = keyof OpKernels;
