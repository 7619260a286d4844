/** Status and control of the CPU backend's accelerators: WASM SIMD kernels and the thread pool. */
import { wasmStatus } from './module.js';
import { startThreads, threadCount } from './pool.js';

/** What the CPU backend runs large arrays with. */
export interface KernelStatus {
  /** Whether the WASM SIMD kernels loaded (they are built by `npm run build`). */
  wasm: boolean;
  /** Why not, when they did not. */
  reason: string;
  /** Threads the heavy kernels use, the calling one included (DARRAY_THREADS overrides). */
  threads: number;
}

/** Reports whether the WASM kernels are loaded and how many threads the heavy kernels use. */
export function kernelStatus(): KernelStatus {
  const s = wasmStatus();
  return { wasm: s.loaded, reason: s.reason, threads: s.loaded ? threadCount() : 1 };
}

/**
 * Starts the kernel thread pool now and resolves when it is ready (it otherwise starts on the
 * first large op, which runs single-threaded meanwhile). Resolves false where there is no pool.
 *
 * @example
 * await startKernelThreads(); // before timing a benchmark
 */
export function startKernelThreads(): Promise<boolean> {
  return startThreads();
}
