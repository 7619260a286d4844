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
      return (await getBackend(n)) as GPUBackend;
    } catch (e) {
      failures.push(`${n}: ${(e as Error).message}`);
    }
  }
  throw new ArgumentError(`gpu: no GPU backend could start (${failures.join('; ')})`);
}
