// The shared array suite on GPUArrays of the tfjs backend (tfjs-node-gpu, tfjs WebGPU or tfjs CPU,
// whichever starts; the describe title names it).
import { gpuSuite } from '../gpu/harness.js';

await gpuSuite('tfjs');
