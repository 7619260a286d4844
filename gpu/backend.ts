/** What each GPU backend (WebGPU, tfjs, gpu.js) provides to GPUArray: storage, transfers, accounting. */
import type { Backend } from '../src/array/registry.js';

/**
 * The GPU backends' names as a type: each backend folder under kernels/ adds its own here
 * (declaration merging, `webgpu: true`). The list at run time is the registry's: gpuBackendNames().
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by each GPU backend's definition.
export interface GPUBackendNames {}

/** The GPU backends, by the name a GPUArray reports as its `backend`. */
export type GPUBackendName = keyof GPUBackendNames & string;

/** Backend-owned storage of one GPUArray's float32 elements. */
export interface GPUStorage {
  /** Bytes this storage holds on the device. */
  readonly bytes: number;
  /** Frees the storage (returns it to a pool, or frees a tensor); called once. */
  release(): void;
}

/** A GPU backend instance, created lazily by its registered factory. */
export interface GPUBackend extends Backend {
  readonly name: GPUBackendName;
  /** Where the data lives and how it is computed on, e.g. 'webgpu (llvmpipe, vulkan)' or 'tfjs-cpu'. */
  readonly device: string;
  /** Copies host float32 data of `shape` to a new storage. */
  upload(data: Float32Array, shape: readonly number[]): GPUStorage;
  /** Copies `count` elements starting at `offset` back to the host. */
  download(s: GPUStorage, offset: number, count: number): Promise<Float32Array>;
  /** Overwrites `data.length` elements starting at `offset`. */
  write(s: GPUStorage, offset: number, data: Float32Array): Promise<void>;
  /** Bytes currently held by live storages and in-flight temporaries of this backend. */
  bytesInUse(): number;
}
