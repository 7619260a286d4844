/** Registers the DArray kernels with the op registry under the backend name 'darray'. */
import { registerKernel } from '../src/array/registry.js';
import { darrayBroadcast } from './broadcast.js';
import { darrayCat } from './cat.js';
import { darrayCircshift } from './circshift.js';
import { darrayCollect } from './collect.js';
import { darrayMul } from './mul/plan.js';
import { darrayPermutedims } from './permutedims.js';
import { darrayDot, darrayMapreduce, darrayNorm } from './reduce.js';
import { darrayRepeat } from './repeat.js';
import { darrayReshape } from './reshape.js';
import { darraySimilar } from './similar.js';
import { darrayTranspose } from './transpose.js';

registerKernel('broadcast', 'darray', darrayBroadcast);
registerKernel('mapreduce', 'darray', darrayMapreduce);
registerKernel('norm', 'darray', darrayNorm);
registerKernel('dot', 'darray', darrayDot);
registerKernel('mul', 'darray', darrayMul);
registerKernel('transpose', 'darray', darrayTranspose);
registerKernel('collect', 'darray', darrayCollect);
// The shape ops (src/array/shape-ops.ts).
registerKernel('reshape', 'darray', darrayReshape);
registerKernel('permutedims', 'darray', darrayPermutedims);
registerKernel('circshift', 'darray', darrayCircshift);
registerKernel('repeat', 'darray', darrayRepeat);
registerKernel('cat', 'darray', darrayCat);
registerKernel('similar', 'darray', darraySimilar);
