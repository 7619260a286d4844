// The shared array suite on GPUArrays of the gpu.js backend, in whatever mode gpu.js picks here
// (the describe title names it: 'webasm' or 'cpu' without headless-gl).
import { gpuSuite } from '../gpu/harness.js';

await gpuSuite('gpujs');
