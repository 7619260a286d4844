/**
 * Picks a GPU backend: by name, or the registered one of highest priority that starts. The backends
 * are the registry's (registered by the entry files); factories run on first use only, so importing
 * darray opens no device and loads neither tfjs nor gpu.js.
 */
import { backendsOfKind } from '../src/array/backend.js';
import { findBackend, getBackend } from '../src/array/registry.js';
import { ArgumentError } from '../src/errors.js';
import type { GPUBackend, GPUBackendName } from './backend.js';

/** The registered GPU backends' names, in order of preference for `gpu()` without `backend`. */
export function gpuBackendNames(): GPUBackendName[] {
  return backendsOfKind('gpu') as GPUBackendName[];
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
 * The named GPU backend, created on first call; without a name the first registered GPU backend
 * (by priority) that starts. Rejects, saying why each failed, when none does.
 */
export async function gpuBackend(name?: GPUBackendName): Promise<GPUBackend> {
  const names = gpuBackendNames();
  if (name !== undefined) {
    if (!names.includes(name))
      throw new ArgumentError(
        `gpu: backend must be one of ${names.map((n) => `'${n}'`).join(', ')}, got '${String(name)}'`,
      );
    return (await getBackend(name)) as GPUBackend;
  }
  return (await findBackend((n) => names.includes(n as GPUBackendName), {
    onFallback: (b, failures) => noticeFallback(b as GPUBackend, failures),
    noneStarted: (failures) => new ArgumentError(`gpu: no GPU backend could start (${failures})`),
  })) as GPUBackend;
}
