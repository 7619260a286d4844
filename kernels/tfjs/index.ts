/** The tfjs backend ('tfjs'): tensors and tfjs ops. Cheap to import: tfjs loads on first use. */
import { collectGPU } from '../../gpu/collect.js';
import { choleskyViaHost, randomViaHost, solveTriangularViaHost } from '../../gpu/host-route.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { TfjsBackend } from './backend.js';
import { bandTfjs } from './band.js';
import { broadcastTfjs } from './broadcast.js';
import { catTfjs } from './cat.js';
import { circshiftTfjs } from './circshift.js';
import { diagTfjs } from './diag.js';
import { diagmTfjs } from './diagm.js';
import { dotTfjs } from './dot.js';
import { eyeTfjs } from './eye.js';
import { findExtremaTfjs } from './find-extrema.js';
import { getindexTfjs } from './getindex.js';
import { kronTfjs } from './kron.js';
import { mapreduceTfjs } from './mapreduce.js';
import { mulTfjs } from './mul.js';
import { normTfjs } from './norm.js';
import { permutedimsTfjs } from './permutedims.js';
import { reduceDimsTfjs } from './reduce-dims.js';
import { repeatTfjs } from './repeat.js';
import { reshapeTfjs } from './reshape.js';
import { setindexTfjs } from './setindex.js';
import { similarTfjs } from './similar.js';
import { transposeTfjs } from './transpose.js';

declare module '../../gpu/backend.js' {
  interface GPUBackendNames {
    tfjs: true;
  }
}

/** The tfjs backend; the entry files register it. */
export const tfjs = defineBackend<TfjsBackend>({
  name: 'tfjs',
  priority: 20,
  kind: 'gpu',
  create: async () => (await import('./backend.js')).tfjsBackend(),
  kernels: {
    broadcast: broadcastTfjs,
    mapreduce: mapreduceTfjs,
    norm: normTfjs,
    dot: dotTfjs,
    mul: mulTfjs,
    transpose: transposeTfjs,
    getindex: getindexTfjs,
    setindex: setindexTfjs,
    cat: catTfjs,
    circshift: circshiftTfjs,
    eye: eyeTfjs,
    permutedims: permutedimsTfjs,
    repeat: repeatTfjs,
    reshape: reshapeTfjs,
    similar: similarTfjs,
    collect: collectGPU,
    band: bandTfjs,
    diag: diagTfjs,
    diagm: diagmTfjs,
    kron: kronTfjs,
    // tfjs has no exact 32-bit integer hash: the generator runs on the host, then one upload.
    random: randomViaHost('tfjs'),
    // Sequential substitutions: through the host (gpu/host-route.ts).
    cholesky: choleskyViaHost,
    solveTriangular: solveTriangularViaHost,
    reduceDims: reduceDimsTfjs,
    findExtrema: findExtremaTfjs,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
