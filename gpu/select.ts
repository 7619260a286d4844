/**
 * Registers the GPU backends by name and priority (webgpu > tfjs > gpujs). Factories run on first
 * use only, so importing darray opens no device and loads neither tfjs nor gpu.js.
 */
import { getBackend, registerBackend } from '../src/array/registry.js';
import { ArgumentError } from '../src/errors.js';
import { GPU_BACKENDS, type GPUBackend, type GPUBackendName } from './backend.js';

const made = new Map<GPUBackendName, GPUBackend>();

const factories: Record<GPUBackendName, () => Promise<GPUBackend>> = {
  webgpu: async () => (await import('./webgpu/backend.js')).webgpuBackend(),
  tfjs: async () => (await import('./tfjs/backend.js')).tfjsBackend(),
  gpujs: async () => (await import('./gpujs/backend.js')).gpujsBackend(),
};

GPU_BACKENDS.forEach((name, i) => {
  registerBackend(
    name,
    async () => {
      const b = await factories[name]();
      made.set(name, b);
      return b;
    },
    30 - 10 * i,
  );
});

/** The GPU backends created so far in this process. */
export function createdBackends(): ReadonlyMap<GPUBackendName, GPUBackend> {
  return made;
}

let noticed = false;

/**
 * Says once per process, on stderr, that gpu() without a backend did not get the first choice, which
 * backend (and device) it got instead, and why the others failed: a silent switch to a CPU device
 * would look like a slow GPU.
 */
function noticeFallback(b: GPUBackend, failures: readonly string[]): void {
  if (noticed) return;
  noticed = true;
  console.warn(`darray: gpu() fell back to '${b.name}' on ${b.device} (${failures.join('; ')})`);
}

/**
 * The named GPU backend, created on first call; without a name the first of webgpu, tfjs, gpujs
 * that starts. Rejects, saying why each failed, when none does.
 */
export async function gpuBackend(name?: GPUBackendName): Promise<GPUBackend> {
  if (name !== undefined) {
    if (!GPU_BACKENDS.includes(name))
      throw new ArgumentError(
        `gpu: backend must be one of ${GPU_BACKENDS.map((n) => `'${n}'`).join(', ')}, got '${String(name)}'`,
      );
    return (await getBackend(name)) as GPUBackend;
  }
  const failures: string[] = [];
  for (const n of GPU_BACKENDS) {
    try {
      const b = (await getBackend(n)) as GPUBackend;
      if (failures.length > 0) noticeFallback(b, failures);
      return b;
    } catch (e) {
      failures.push(`${n}: ${(e as Error).message}`);
    }
  }
  throw new ArgumentError(`gpu: no GPU backend could start (${failures.join('; ')})`);
}
