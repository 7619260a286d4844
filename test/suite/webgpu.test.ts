// The shared array suite on GPUArrays of the WebGPU (Dawn) backend; on lavapipe where there is no GPU.
import { gpuSuite } from '../gpu/harness.js';

await gpuSuite('webgpu');
