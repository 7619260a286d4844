/**
 * Registers the backends this package ships, in order: the CPU backend, its WASM accelerator, then
 * the GPU backends, then SharedArray's 'shared'. An entry file (src/index.ts, the CLI, the worker's main) imports this; nothing
 * below the entry layer registers a backend.
 */
import { cpu } from '../kernels/cpu/index.js';
import { gpujs } from '../kernels/gpujs/index.js';
import { tfjs } from '../kernels/tfjs/index.js';
import { wasm } from '../kernels/wasm/index.js';
import { webgpu } from '../kernels/webgpu/index.js';
import { registerBackends } from './array/backend.js';
import { registerKernel } from './array/registry.js';
import { subarrayKernels } from './array/subarray.js';
import { shared } from './shared/backend.js';

registerBackends(cpu, wasm, webgpu, tfjs, gpujs, shared);
// Views (SubArray) run their parent's kernels; they are no backend of their own.
registerKernel('getindex', 'subarray', subarrayKernels.getindex);
registerKernel('setindex', 'subarray', subarrayKernels.setindex);
registerKernel('collect', 'subarray', subarrayKernels.collect);
