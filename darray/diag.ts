/**
 * Distributed diag: the diagonal crosses some chunks, each in one run, and each of those owners
 * keeps its run as its chunk of the result (a vector cut where the diagonal leaves a chunk).
 * Nothing moves. diagm: each owner of the result builds its block from the run of v it needs.
 */
import { zeros } from '../src/array/create.js';
import type { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { getKernel } from '../src/array/registry.js';
import { diagLength } from '../src/linalg/host.js';
import { remoteDoQueued } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend, upload } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, boxShape, chunkBox, type Layout, makeLayout } from './layout.js';
import { firstDArray } from './operands.js';
import { fetchBox } from './read.js';
import { newDArrayId, putChunk } from './store.js';

/** The run [start, end) of diagonal positions of diagonal k inside `box`. */
function runIn(box: Box, k: number): [number, number] {
  const [[r0, r1] = [0, 0], [c0, c1] = [0, 0]] = box;
  const rStart = Math.max(0, -k);
  return [Math.max(r0, c0 - k, rStart) - rStart, Math.min(r1, c1 - k) - rStart];
}

/** The 'darray' kernel of `diag`: the caller half. */
export function darrayDiag(a: AnyArray, k: number): DArray {
  const A = firstDArray('diag', [a]);
  const [m = 0, n = 0] = A.shape;
  const runs = A.pids
    .map((p, c) => ({ p, c, run: runIn(chunkBox(A.layout, c), k) }))
    .filter(({ run: [s, e] }) => e > s)
    .sort((x, y) => x.run[0] - y.run[0]);
  const id = newDArrayId();
  const len = diagLength(m, n, k);
  if (runs.length === 0) {
    // An empty diagonal still needs one (empty) chunk somewhere.
    const layout = makeLayout([0], [A.pids[0] as number]);
    remoteDoQueued(diagHere, A.pids[0] as number, id, [[0, 0]], A, k, -1);
    return new DArray(id, A.dtype, layout, A.chunkBackend);
  }
  const layout: Layout = {
    dims: [len],
    dist: [runs.length],
    cuts: [[0, ...runs.map(({ run }) => run[1])]],
    pids: runs.map(({ p }) => p),
  };
  for (const { p, c, run } of runs) remoteDoQueued(diagHere, p, id, [run], A, k, c);
  return new DArray(id, A.dtype, layout, A.chunkBackend);
}

/** The owner half: the run of the diagonal in its own chunk `c` of A (c < 0: an empty result). */
export const diagHere = registerBuiltin(
  'darrayDiag',
  (outId: string, outBox: Box, a: DArray, k: number, c: number): void => {
    const backend = a.chunkBackend;
    putChunk(
      outId,
      outBox,
      onBackend(backend, async () => {
        if (c < 0) return upload(zeros([0], a.dtype), backend);
        const box = chunkBox(a.layout, c);
        const [[r0 = 0] = [], [c0 = 0] = []] = box;
        return getKernel('diag', backend)(await fetchBox(a, box), k - (c0 - r0));
      }),
    );
  },
);

/** The 'darray' kernel of `diagm`: the caller half; the result's rows are split over v's processes. */
export function darrayDiagm(v: AnyArray, k: number): DArray {
  const V = firstDArray('diagm', [v]);
  const N = (V.shape[0] ?? 0) + Math.abs(k);
  const layout = makeLayout([N, N], V.pids);
  const id = newDArrayId();
  layout.pids.forEach((p, c) => {
    remoteDoQueued(diagmHere, p, id, chunkBox(layout, c), V, k);
  });
  return new DArray(id, V.dtype, layout, V.chunkBackend);
}

/**
 * The owner half: its block of diagm(v, k), built on the host from the run of v that crosses the
 * block (fetched from v's owners), then moved onto the chunk backend.
 */
export const diagmHere = registerBuiltin(
  'darrayDiagm',
  (outId: string, box: Box, v: DArray, k: number): void => {
    const backend = v.chunkBackend;
    putChunk(
      outId,
      box,
      onBackend(backend, async () => {
        const out = zeros(boxShape(box), v.dtype);
        const [[r0 = 0] = [], [c0 = 0, c1 = 0] = []] = box;
        const [s, e] = runIn(box, k);
        if (e > s) {
          const run = await collect(await fetchBox(v, [[s, e]]));
          const rStart = Math.max(0, -k);
          for (let t = s; t < e; t++) {
            const r = t + rStart;
            out.data[(r - r0) * (c1 - c0) + r + k - c0] = (run as NDArray).data[t - s] as number;
          }
        }
        return upload(out, backend);
      }),
    );
  },
);
