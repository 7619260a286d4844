/**
 * Refilling a DArray with random numbers in place (`randInto`, `drand(D)`; Julia's `rand!(dA)`):
 * each owner runs its chunk backend's `random` kernel over its chunk, with the chunk's place in the
 * whole array, so the numbers depend on the seed only, not on the layout. Nothing moves.
 */
import type { OutSpec } from '../src/array/protocol.js';
import type { RandomSpec } from '../src/array/random-op.js';
import { getKernel } from '../src/array/registry.js';
import { ArgumentError } from '../src/errors.js';
import { remotecallFetch } from '../src/remote/calls.js';
import { registerBuiltin } from '../src/remote/ship.js';
import { onBackend } from './chunk-backend.js';
import { DArray } from './darray.js';
import { type Box, boxShape, chunkBox } from './layout.js';
import { firstDArray } from './operands.js';
import { awaitChunkEntry, running } from './store.js';

/** The 'darray' kernel of `random`: refills `out.into` on its owners; resolves once every chunk is done. */
export async function darrayRandom(spec: RandomSpec, out: OutSpec): Promise<DArray> {
  if (!(out.into instanceof DArray))
    throw new ArgumentError('random: a new DArray needs its processes; use drand(dims, { procs, seed })');
  const D = firstDArray('random', [out.into]);
  await Promise.all(
    D.pids.map((p, c) =>
      remotecallFetch(randomHere, p, D.id, chunkBox(D.layout, c), [...D.shape], spec, D.chunkBackend),
    ),
  );
  return D;
}

/** The owner half: refills this process's chunk of DArray `id` in place. */
export const randomHere = registerBuiltin(
  'darrayRandom',
  (id: string, box: Box, dims: number[], spec: RandomSpec, backend: string): Promise<void> =>
    running(
      onBackend(backend, async () => {
        const chunk = await (await awaitChunkEntry(id)).array;
        await getKernel('random', backend)(
          { ...spec, within: { dims, box } },
          { shape: boxShape(box), dtype: chunk.dtype, into: chunk },
        );
      }),
    ),
);
