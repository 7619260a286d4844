/** gpuMemory(): bytes in use per GPU backend, the figure leak tests compare before and after. */
import type { GPUBackendName } from './backend.js';
import { createdBackends } from './backends.js';

/**
 * Bytes held on each GPU backend by live arrays and in-flight temporaries (0 for a backend not
 * started). Pooled idle WebGPU buffers are not counted: they are reusable, not leaked.
 *
 * @example
 * const before = gpuMemory().webgpu;
 * await scope(async () => { await sum(await gpu(rand([1000]))); });
 * gpuMemory().webgpu === before; // true
 */
export function gpuMemory(): Record<GPUBackendName, number> {
  const out: Record<GPUBackendName, number> = { webgpu: 0, tfjs: 0, gpujs: 0 };
  for (const [name, b] of createdBackends()) out[name] = b.bytesInUse();
  return out;
}
