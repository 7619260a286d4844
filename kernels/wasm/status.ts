/** Status and control of the CPU backend's accelerators: WASM SIMD kernels and the thread pool. */
import { heapHugePages } from './heap.js';
import { wasmStatus } from './module.js';
import { nativeMatvec, nativeMatvecReason } from './native-matvec.js';
import { startThreads, threadCount } from './pool.js';

/** What the CPU backend runs large arrays with. */
export interface KernelStatus {
  /** Whether the WASM SIMD kernels loaded (they are built by `npm run build`). */
  wasm: boolean;
  /** Why not, when they did not. */
  reason: string;
  /** Threads the heavy kernels use, the calling one included (DARRAY_THREADS overrides). */
  threads: number;
  /**
   * Whether the heap large arrays live in is advised onto transparent huge pages (needs the
   * package's native addon, linux-x64; DARRAY_HUGEPAGES=0 turns it off).
   */
  hugePages: boolean;
  /**
   * Which kernel runs matrix–vector products of float arrays in the heap: the AVX2 + FMA one of the
   * package's native addon (linux-x64; DARRAY_NATIVE_MATVEC=0 turns it off), else WASM SIMD.
   */
  matvec: 'native-avx2' | 'wasm-simd' | 'js';
  /** Why the native matvec is not used ('' when it is). */
  matvecReason: string;
}

/** Reports whether the WASM kernels are loaded and how many threads the heavy kernels use. */
export function kernelStatus(): KernelStatus {
  const s = wasmStatus();
  return {
    wasm: s.loaded,
    reason: s.reason,
    threads: s.loaded ? threadCount() : 1,
    hugePages: s.loaded && heapHugePages().advised,
    matvec: !s.loaded ? 'js' : nativeMatvec() ? 'native-avx2' : 'wasm-simd',
    matvecReason: s.loaded ? nativeMatvecReason() : s.reason,
  };
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
