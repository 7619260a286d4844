/** The gpu.js backend ('gpujs'). Cheap to import: gpu.js (optional) loads on first use. */
import { collectGPU } from '../../gpu/collect.js';
import { choleskyViaHost, randomViaHost, solveTriangularViaHost } from '../../gpu/host-route.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { GpujsBackend } from './backend.js';
import { bandGpujs } from './band.js';
import { broadcastGpujsKernel } from './broadcast.js';
import { catGpujs } from './cat.js';
import { circshiftGpujs } from './circshift.js';
import { diagGpujs } from './diag.js';
import { diagmGpujs } from './diagm.js';
import { dotGpujs } from './dot.js';
import { eyeGpujs } from './eye.js';
import { findExtremaGpujs } from './find-extrema.js';
import { getindexGpujs } from './getindex.js';
import { kronGpujs } from './kron.js';
import { mapreduceGpujs } from './mapreduce.js';
import { mulGpujs } from './mul.js';
import { normGpujs } from './norm.js';
import { permutedimsGpujs } from './permutedims.js';
import { reduceDimsGpujs } from './reduce-dims.js';
import { repeatGpujs } from './repeat.js';
import { reshapeGpujs } from './reshape.js';
import { setindexGpujs } from './setindex.js';
import { similarGpujs } from './similar.js';
import { transposeGpujs } from './transpose.js';

declare module '../../gpu/backend.js' {
  interface GPUBackendNames {
    gpujs: true;
  }
}

/** The gpu.js backend; the entry files register it. */
export const gpujs = defineBackend<GpujsBackend>({
  name: 'gpujs',
  priority: 10,
  kind: 'gpu',
  create: async () => (await import('./backend.js')).gpujsBackend(),
  kernels: {
    broadcast: broadcastGpujsKernel,
    mapreduce: mapreduceGpujs,
    norm: normGpujs,
    dot: dotGpujs,
    mul: mulGpujs,
    transpose: transposeGpujs,
    getindex: getindexGpujs,
    setindex: setindexGpujs,
    cat: catGpujs,
    circshift: circshiftGpujs,
    eye: eyeGpujs,
    permutedims: permutedimsGpujs,
    repeat: repeatGpujs,
    reshape: reshapeGpujs,
    similar: similarGpujs,
    collect: collectGPU,
    band: bandGpujs,
    diag: diagGpujs,
    diagm: diagmGpujs,
    kron: kronGpujs,
    // gpujs has no exact 32-bit integer hash: the generator runs on the host, then one upload.
    random: randomViaHost('gpujs'),
    // Sequential substitutions: through the host (gpu/host-route.ts).
    cholesky: choleskyViaHost,
    solveTriangular: solveTriangularViaHost,
    reduceDims: reduceDimsGpujs,
    findExtrema: findExtremaGpujs,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
