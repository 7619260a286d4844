/** GPUArray: a float32 array that lives on a GPU backend (CUDA.jl's CuArray). */
import type { AnyArray } from '../src/array/protocol.js';
import { sizeOf, stridesOf } from '../src/array/shape.js';
import { ArgumentError } from '../src/errors.js';
import type { GPUBackend, GPUBackendName, GPUStorage } from './backend.js';
import { isScalarAllowed } from './scalar.js';
import { track } from './scope.js';

// A safety net only: arrays that are dropped without dispose() give their memory back when collected.
const finalizer = new FinalizationRegistry<GPUStorage>((s) => s.release());

/**
 * A float32 array on a GPU backend. Made by `gpu(A)`, by any op on GPU arrays, and brought back by
 * `collect(g)`. Free it with `dispose()`, `using`, or by creating it inside `scope(fn)`.
 *
 * @example
 * using g = await gpu(rand([1024]));
 * const s = await sum(await broadcast((x) => x * x, g));
 */
export class GPUArray implements AnyArray {
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];
  readonly size: number;
  #storage: GPUStorage | undefined;

  /** For backends: wraps `storage` (which now belongs to the array) as an array of `shape`. */
  constructor(
    readonly impl: GPUBackend,
    storage: GPUStorage,
    shape: readonly number[],
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.#storage = storage;
    finalizer.register(this, storage, this);
    track(this);
  }

  /** The backend name the array protocol dispatches on. */
  get backend(): GPUBackendName {
    return this.impl.name;
  }

  /** What runs the backend, e.g. 'webgpu (llvmpipe)' or 'tfjs-cpu'. */
  get device(): string {
    return this.impl.device;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Whether dispose() has run. */
  get disposed(): boolean {
    return this.#storage === undefined;
  }

  /** The backend storage, for kernels; throws once the array is disposed. */
  get storage(): GPUStorage {
    if (!this.#storage)
      throw new ArgumentError(
        `GPUArray of shape [${this.shape}] on '${this.backend}' was disposed; ` +
          'use it before dispose() or return it from the scope() that made it',
      );
    return this.#storage;
  }

  /** Frees the device memory now. Safe to call twice. */
  dispose(): void {
    const s = this.#storage;
    if (!s) return;
    this.#storage = undefined;
    finalizer.unregister(this);
    s.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private flatIndex(op: string, idx: readonly number[]): number {
    if (!isScalarAllowed())
      throw new ArgumentError(
        `${op} on a GPUArray is scalar indexing: each call copies one element between host and GPU, ` +
          'which is very slow. Use whole-array ops (broadcast, mapreduce) or collect(g) instead, or opt in ' +
          'with allowScalar(true) or allowScalar(() => ...)',
      );
    if (
      idx.length !== this.shape.length ||
      idx.some((i, k) => !Number.isInteger(i) || i < 0 || i >= this.shape[k]!)
    )
      throw new ArgumentError(`${op}: index [${idx}] is out of bounds for shape [${this.shape}]`);
    const st = stridesOf(this.shape);
    return idx.reduce((o, i, k) => o + i * st[k]!, 0);
  }

  /** One element (slow: a transfer per call; needs allowScalar). */
  async get(...idx: number[]): Promise<number> {
    const i = this.flatIndex('get', idx);
    const d = await this.impl.download(this.storage, i, 1);
    return d[0]!;
  }

  /** Sets one element (slow: a transfer per call; needs allowScalar). */
  async set(value: number, ...idx: number[]): Promise<void> {
    const i = this.flatIndex('set', idx);
    await this.impl.write(this.storage, i, Float32Array.of(value));
  }

  /** All elements as host float32 data (what `collect` wraps). */
  download(): Promise<Float32Array> {
    return this.impl.download(this.storage, 0, this.size);
  }
}

/** Whether `x` is a GPUArray. */
export function isGPUArray(x: unknown): x is GPUArray {
  return x instanceof GPUArray;
}
