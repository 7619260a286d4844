/** Registers the DArray kernels with the op registry under the backend name 'darray'. */
import { registerKernel } from '../src/array/registry.js';
import { darrayBroadcast } from './broadcast.js';
import { darrayCollect } from './collect.js';
import { darrayMul } from './mul/plan.js';
import { darrayDot, darrayMapreduce, darrayNorm } from './reduce.js';
import { darrayFindExtrema, darrayReduceDims } from './reduce-dims.js';
import { darrayTranspose } from './transpose.js';

registerKernel('broadcast', 'darray', darrayBroadcast);
registerKernel('mapreduce', 'darray', darrayMapreduce);
registerKernel('norm', 'darray', darrayNorm);
registerKernel('dot', 'darray', darrayDot);
registerKernel('mul', 'darray', darrayMul);
registerKernel('transpose', 'darray', darrayTranspose);
registerKernel('collect', 'darray', darrayCollect);
registerKernel('reduceDims', 'darray', darrayReduceDims);
registerKernel('findExtrema', 'darray', darrayFindExtrema);
