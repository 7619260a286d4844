/**
 * The WebGPU backend ('webgpu', Dawn): its device, buffer pool and WGSL kernels. Cheap to import:
 * the device opens on first use.
 */
import { collectGPU } from '../../gpu/collect.js';
import { uploadTo } from '../../gpu/upload.js';
import { defineBackend } from '../../src/array/backend.js';
import type { WebGPUBackend } from './backend.js';
import { broadcastWebGPU } from './broadcast.js';
import { dotWebGPU } from './dot.js';
import { findExtremaWebGPU } from './find-extrema.js';
import { mapreduceWebGPU } from './mapreduce.js';
import { mulWebGPU } from './mul.js';
import { normWebGPU } from './norm.js';
import { reduceDimsWebGPU } from './reduce-dims.js';
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
    broadcast: broadcastWebGPU,
    mapreduce: mapreduceWebGPU,
    norm: normWebGPU,
    dot: dotWebGPU,
    mul: mulWebGPU,
    transpose: transposeWebGPU,
    collect: collectGPU,
    reduceDims: reduceDimsWebGPU,
    findExtrema: findExtremaWebGPU,
  },
  fromHost: (host, b) => uploadTo(b, host),
});
