/** The CPU reference backend ('cpu', the NDArray backend): a kernel for every op, in plain JS loops. */
import { defineBackend } from '../../src/array/backend.js';
import type { NDArray } from '../../src/array/ndarray.js';
import { bandCpu } from './band.js';
import { broadcastCpu } from './broadcast.js';
import { catCpu } from './cat.js';
import { choleskyCpu } from './cholesky.js';
import { circshiftCpu } from './circshift.js';
import { collectCpu } from './collect.js';
import { diagCpu } from './diag.js';
import { diagmCpu } from './diagm.js';
import { dotCpu } from './dot.js';
import { eyeCpu } from './eye.js';
import { findExtremaCpu } from './find-extrema.js';
import { getindexCpu } from './getindex.js';
import { kronCpu } from './kron.js';
import { mapreduceCpu } from './mapreduce.js';
import { matvecBlock } from './matvec-block.js';
import { mulCpu } from './mul.js';
import { normCpu } from './norm.js';
import { permutedimsCpu } from './permutedims.js';
import { randomCpu } from './random.js';
import { reduceDimsCpu } from './reduce-dims.js';
import { repeatCpu } from './repeat.js';
import { reshapeCpu } from './reshape.js';
import { setindexCpu } from './setindex.js';
import { similarCpu } from './similar.js';
import { solveTriangularCpu } from './solve-triangular.js';
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
    getindex: (a, ix) => getindexCpu(a as NDArray, ix),
    setindex: (a, v, ix) => setindexCpu(a as NDArray, v, ix),
    band: bandCpu,
    diag: diagCpu,
    diagm: diagmCpu,
    kron: kronCpu,
    cholesky: choleskyCpu,
    solveTriangular: solveTriangularCpu,
    random: randomCpu,
    reshape: (a, shape) => reshapeCpu(a as NDArray, shape),
    permutedims: (a, perm) => permutedimsCpu(a as NDArray, perm),
    circshift: (a, shifts) => circshiftCpu(a as NDArray, shifts),
    repeat: (a, inner, outer) => repeatCpu(a as NDArray, inner, outer),
    cat: (arrays, dim, out) => catCpu(arrays as NDArray[], dim, out),
    similar: similarCpu,
    eye: eyeCpu,
    reduceDims: (map, r, x, dims, init) => reduceDimsCpu(map, r, x as NDArray, dims, init),
    findExtrema: (x, dims, which) => findExtremaCpu(x as NDArray, dims, which),
  },
});
