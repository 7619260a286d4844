/** Registers the gpu.js kernels (backend 'gpujs'). Cheap: gpu.js itself loads only when the backend starts. */

import { collectGPU } from '../../gpu/collect.js';
import { registerKernel } from '../../src/array/registry.js';
import { broadcastGpujsKernel } from './broadcast.js';
import { dotGpujs } from './dot.js';
import { mapreduceGpujs } from './mapreduce.js';
import { mulGpujs } from './mul.js';
import { normGpujs } from './norm.js';
import { transposeGpujs } from './transpose.js';

registerKernel('broadcast', 'gpujs', broadcastGpujsKernel);
registerKernel('mapreduce', 'gpujs', mapreduceGpujs);
registerKernel('norm', 'gpujs', normGpujs);
registerKernel('dot', 'gpujs', dotGpujs);
registerKernel('mul', 'gpujs', mulGpujs);
registerKernel('transpose', 'gpujs', transposeGpujs);
registerKernel('collect', 'gpujs', collectGPU);
