/** Registers the CPU reference kernels (backend 'cpu', the NDArray backend) for every op. */

import type { NDArray } from '../../src/array/ndarray.js';
import { registerBackend, registerKernel } from '../../src/array/registry.js';
import { useAccelerators } from '../wasm/install.js';
import { broadcastCpu } from './broadcast.js';
import { collectCpu } from './collect.js';
import { dotCpu } from './dot.js';
import { mapreduceCpu } from './mapreduce.js';
import { mulCpu } from './mul.js';
import { normCpu } from './norm.js';
import { transposeCpu } from './transpose.js';

registerBackend('cpu', () => ({ name: 'cpu' }), 0);
// The protocol passes AnyArray; on 'cpu' every array argument is an NDArray (see protocol.ts).
registerKernel('broadcast', 'cpu', broadcastCpu);
registerKernel('mapreduce', 'cpu', (map, r, x, init) => mapreduceCpu(map, r, x as NDArray, init));
registerKernel('norm', 'cpu', (x, p) => normCpu(x as NDArray, p));
registerKernel('dot', 'cpu', (x, y) => dotCpu(x as NDArray, y as NDArray));
registerKernel('mul', 'cpu', (a, b, out) => mulCpu(a as NDArray, b as NDArray, out));
registerKernel('transpose', 'cpu', (a) => transposeCpu(a as NDArray));
registerKernel('collect', 'cpu', (x) => collectCpu(x as NDArray));

// WASM SIMD and the worker pool, where the build produced the kernels; plain JS otherwise.
useAccelerators();
