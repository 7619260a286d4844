/** Registers the tfjs kernels (backend 'tfjs'). Cheap: tfjs itself loads only when the backend starts. */

import { collectGPU } from '../../gpu/collect.js';
import { registerKernel } from '../../src/array/registry.js';
import { broadcastTfjs } from './broadcast.js';
import { dotTfjs } from './dot.js';
import { mapreduceTfjs } from './mapreduce.js';
import { mulTfjs } from './mul.js';
import { normTfjs } from './norm.js';
import { transposeTfjs } from './transpose.js';

registerKernel('broadcast', 'tfjs', broadcastTfjs);
registerKernel('mapreduce', 'tfjs', mapreduceTfjs);
registerKernel('norm', 'tfjs', normTfjs);
registerKernel('dot', 'tfjs', dotTfjs);
registerKernel('mul', 'tfjs', mulTfjs);
registerKernel('transpose', 'tfjs', transposeTfjs);
registerKernel('collect', 'tfjs', collectGPU);
