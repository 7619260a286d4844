/** Registers the DArray kernels with the op registry under the backend name 'darray'. */
import { registerKernel } from '../src/array/registry.js';
import { darrayBand } from './band.js';
import { darrayBroadcast } from './broadcast.js';
import { darrayCollect } from './collect.js';
import { darrayDiag, darrayDiagm } from './diag.js';
import { darrayCholesky, darraySolveTriangular } from './gathered.js';
import { darrayKron } from './kron.js';
import { darrayMul } from './mul/plan.js';
import { darrayRandom } from './random.js';
import { darrayDot, darrayMapreduce, darrayNorm } from './reduce.js';
import { darrayTranspose } from './transpose.js';

registerKernel('broadcast', 'darray', darrayBroadcast);
registerKernel('mapreduce', 'darray', darrayMapreduce);
registerKernel('norm', 'darray', darrayNorm);
registerKernel('dot', 'darray', darrayDot);
registerKernel('mul', 'darray', darrayMul);
registerKernel('transpose', 'darray', darrayTranspose);
registerKernel('collect', 'darray', darrayCollect);
registerKernel('band', 'darray', darrayBand);
registerKernel('diag', 'darray', darrayDiag);
registerKernel('diagm', 'darray', darrayDiagm);
registerKernel('kron', 'darray', darrayKron);
registerKernel('cholesky', 'darray', darrayCholesky);
registerKernel('solveTriangular', 'darray', darraySolveTriangular);
registerKernel('random', 'darray', darrayRandom);
