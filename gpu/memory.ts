/** gpuMemory(): bytes in use per GPU backend, the figure leak tests compare before and after. */
import { createdBackend } from '../src/array/registry.js';
import type { GPUBackend, GPUBackendName } from './backend.js';
import { gpuBackendNames } from './select.js';

/**
 * Bytes held on each registered GPU backend by live arrays and in-flight temporaries (0 for a
 * backend not started). Pooled idle WebGPU buffers are not counted: they are reusable, not leaked.
 *
 * @example
 * const before = gpuMemory().webgpu;
 * await scope(async () => { await sum(await gpu(rand([1000]))); });
 * gpuMemory().webgpu === before; // true
 */
export function gpuMemory(): Record<GPUBackendName, number> {
  const out = {} as Record<GPUBackendName, number>;
  for (const name of gpuBackendNames())
    out[name] = (createdBackend(name) as GPUBackend | undefined)?.bytesInUse() ?? 0;
  return out;
}
