/** The CPU reference backend ('cpu', the NDArray backend): a kernel for every op, in plain JS loops. */
import { defineBackend } from '../../src/array/backend.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { broadcastCpu } from './broadcast.js';
import { collectCpu } from './collect.js';
import { dotCpu } from './dot.js';
import { findExtremaCpu } from './find-extrema.js';
import { mapreduceCpu } from './mapreduce.js';
import { matvecBlock } from './matvec-block.js';
import { mulCpu } from './mul.js';
import { normCpu } from './norm.js';
import { reduceDimsCpu } from './reduce-dims.js';
import { transposeCpu } from './transpose.js';

/** The CPU backend; the entry files register it (with the WASM accelerator in front of it). */
export const cpu = defineBackend({
  name: 'cpu',
  priority: 0,
  create: () => ({ name: 'cpu' }),
  // The protocol passes AnyArray; on 'cpu' every array argument is an NDArray (see protocol.ts).
  kernels: {
    broadcast: broadcastCpu,
    mapreduce: (map, r, x, init) => mapreduceCpu(map, r, x as NDArray, init),
    norm: (x, p) => normCpu(x as NDArray, p),
    dot: (x, y) => dotCpu(x as NDArray, y as NDArray),
    mul: (a, b, out) => mulCpu(a as NDArray, b as NDArray, out),
    transpose: (a) => transposeCpu(a as NDArray),
    collect: (x) => collectCpu(x as NDArray),
    matvecBlock: (a, x, y, block) => matvecBlock(a as NDArray, x as NDArray, y as NDArray, block),
    reduceDims: (map, r, x, dims, init) => reduceDimsCpu(map, r, x as NDArray, dims, init),
    findExtrema: (x, dims, which) => findExtremaCpu(x as NDArray, dims, which),
  },
});
