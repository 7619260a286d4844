/** GPU arrays (CUDA.jl's CuArray): `gpu`, `GPUArray`, `allowScalar`, `scope`, `gpuMemory`. */
import './backends.js';
import '../kernels/webgpu/register.js';
import '../kernels/tfjs/register.js';
import '../kernels/gpujs/register.js';

export { GPUArray, isGPUArray } from './array.js';
export { GPU_BACKENDS, type GPUBackend, type GPUBackendName, type GPUStorage } from './backend.js';
export { gpuBackend } from './backends.js';
export { type GPUOptions, gpu } from './gpu.js';
export { gpuMemory } from './memory.js';
export { allowScalar, isScalarAllowed } from './scalar.js';
export { scope } from './scope.js';
