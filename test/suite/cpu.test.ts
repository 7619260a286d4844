// The shared array suite on the CPU reference backend (NDArray).
import { runArraySuite } from './array-suite.js';

runArraySuite('NDArray (cpu)', { toBackend: async (a) => a, backend: 'cpu' });
