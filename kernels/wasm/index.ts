/**
 * The WASM accelerator of the CPU backend: large NDArrays live in its shared heap, and its SIMD
 * kernels (split over a thread pool) run in front of the CPU kernels where the build made them.
 */
import { type AcceleratorDefinition, defineBackend, useVariants } from '../../src/array/backend.js';
import type { HostAllocator } from '../../src/array/registry.js';
import { allocateFor, heapBuffer, releaseFor } from './heap.js';
import { wasmKernels } from './module.js';
import { broadcastVariant, matvecBlockVariant, mulVariant } from './variants.js';

/** The shared heap as the allocator of large host arrays, so the kernels read them in place. */
const heapAllocator: HostAllocator = {
  allocate(owner, bytes) {
    const offset = allocateFor(owner, bytes);
    return offset >= 0 ? { buffer: heapBuffer(), offset } : undefined;
  },
  release: releaseFor,
};

/** The WASM accelerator; the entry files register it after the CPU backend. */
export const wasm: AcceleratorDefinition = defineBackend({
  name: 'wasm',
  priority: 10,
  accelerates: 'cpu',
  kernels: { mul: mulVariant, matvecBlock: matvecBlockVariant, broadcast: broadcastVariant },
  available: () => wasmKernels() !== null,
  allocator: heapAllocator,
});

/**
 * Puts the WASM variants in front of the CPU kernels (true if the WASM kernels loaded) or takes
 * them away (plain JS everywhere), e.g. to compare the two.
 */
export function useAccelerators(on = true): boolean {
  const loaded = on && wasmKernels() !== null;
  useVariants(wasm, loaded);
  return loaded;
}
