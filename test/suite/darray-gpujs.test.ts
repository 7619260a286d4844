// The shared array suite on DArrays whose chunks are gpu.js GPUArrays, one gpu.js instance per worker.
import { darrayGpuSuite } from './darray-gpu.js';

await darrayGpuSuite('gpujs');
