// The shared array suite on DArrays whose chunks are tfjs GPUArrays, one tfjs backend per worker.
import { darrayGpuSuite } from './darray-gpu.js';

await darrayGpuSuite('tfjs');
