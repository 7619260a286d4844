/** The gpu.js backend ('gpujs'). Cheap to import: gpu.js (optional) loads on first use. */
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { GpujsBackend } from './backend.js';
import { broadcastGpujsKernel } from './broadcast.js';
import { dotGpujs } from './dot.js';
import { findExtremaGpujs } from './find-extrema.js';
import { mapreduceGpujs } from './mapreduce.js';
import { mulGpujs } from './mul.js';
import { normGpujs } from './norm.js';
import { reduceDimsGpujs } from './reduce-dims.js';
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
    collect: collectGPU,
    reduceDims: reduceDimsGpujs,
    findExtrema: findExtremaGpujs,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
