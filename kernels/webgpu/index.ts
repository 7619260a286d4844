/**
 * The WebGPU backend ('webgpu', Dawn): its device, buffer pool and WGSL kernels. Cheap to import:
 * the device opens on first use.
 */
import { collectGPU } from '../../gpu/collect.js';
import { choleskyViaHost, solveTriangularViaHost } from '../../gpu/host-route.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { WebGPUBackend } from './backend.js';
import { bandWebGPU } from './band.js';
import { catWebGPU } from './cat.js';
import { circshiftWebGPU } from './circshift.js';
import { diagWebGPU } from './diag.js';
import { diagmWebGPU } from './diagm.js';
import { dotWebGPU } from './dot.js';
import { eyeWebGPU } from './eye.js';
import { findExtremaWebGPU } from './find-extrema.js';
import { getindexWebGPU } from './getindex.js';
import { kronWebGPU } from './kron.js';
import { broadcastAhead, mapreduceAhead, mulAhead, normAhead } from './lookahead.js';
import { permutedimsWebGPU } from './permutedims.js';
import { randomWebGPU } from './random.js';
import { reduceDimsWebGPU } from './reduce-dims.js';
import { repeatWebGPU } from './repeat.js';
import { reshapeWebGPU } from './reshape.js';
import { setindexWebGPU } from './setindex.js';
import { similarWebGPU } from './similar.js';
import { transposeWebGPU } from './transpose.js';

declare module '../../gpu/backend.js' {
  interface GPUBackendNames {
    webgpu: true;
  }
}

/** The WebGPU backend; the entry files register it. */
export const webgpu = defineBackend<WebGPUBackend>({
  name: 'webgpu',
  priority: 30,
  kind: 'gpu',
  create: async () => (await import('./backend.js')).webgpuBackend(),
  kernels: {
    broadcast: broadcastAhead,
    mapreduce: mapreduceAhead,
    norm: normAhead,
    dot: dotWebGPU,
    mul: mulAhead,
    transpose: transposeWebGPU,
    getindex: getindexWebGPU,
    setindex: setindexWebGPU,
    cat: catWebGPU,
    circshift: circshiftWebGPU,
    eye: eyeWebGPU,
    permutedims: permutedimsWebGPU,
    repeat: repeatWebGPU,
    reshape: reshapeWebGPU,
    similar: similarWebGPU,
    collect: collectGPU,
    band: bandWebGPU,
    diag: diagWebGPU,
    diagm: diagmWebGPU,
    kron: kronWebGPU,
    random: randomWebGPU,
    // Sequential substitutions: through the host (gpu/host-route.ts).
    cholesky: choleskyViaHost,
    solveTriangular: solveTriangularViaHost,
    reduceDims: reduceDimsWebGPU,
    findExtrema: findExtremaWebGPU,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
