/** GPU arrays (CUDA.jl's CuArray): `gpu`, `GPUArray`, `allowScalar`, `scope`, `gpuMemory`; backend-agnostic. */
export { GPUArray, isGPUArray } from './array.js';
// The backend contract, for code that inspects or adds GPU backends.
export type { GPUBackend, GPUBackendName, GPUBackendNames, GPUStorage } from './backend.js';
export { type GPUOptions, gpu } from './gpu.js';
export { gpuMemory } from './memory.js';
export { allowScalar, isScalarAllowed } from './scalar.js';
export { scope } from './scope.js';
export { gpuBackend, gpuBackendNames } from './select.js';
