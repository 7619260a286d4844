/** Registers the WebGPU kernels (backend 'webgpu') for every op. Cheap: no device is opened here. */

import { collectGPU } from '../../gpu/collect.js';
import { registerKernel } from '../../src/array/registry.js';
import { broadcastWebGPU } from './broadcast.js';
import { dotWebGPU } from './dot.js';
import { mapreduceWebGPU } from './mapreduce.js';
import { mulWebGPU } from './mul.js';
import { normWebGPU } from './norm.js';
import { transposeWebGPU } from './transpose.js';

registerKernel('broadcast', 'webgpu', broadcastWebGPU);
registerKernel('mapreduce', 'webgpu', mapreduceWebGPU);
registerKernel('norm', 'webgpu', normWebGPU);
registerKernel('dot', 'webgpu', dotWebGPU);
registerKernel('mul', 'webgpu', mulWebGPU);
registerKernel('transpose', 'webgpu', transposeWebGPU);
registerKernel('collect', 'webgpu', collectGPU);
