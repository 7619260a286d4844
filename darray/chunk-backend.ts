/** Chunks on their backend: moving host data onto it, and running an owner's work there. */
import { scope } from '../gpu/scope.js';
import type { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';
import { lookupName } from '../src/remote/user-scope.js';

/** Moves a host array onto `backend` ('cpu' keeps it as it is). */
export async function upload(nd: NDArray, backend: string): Promise<AnyArray> {
  if (backend === 'cpu') return nd;
  const gpu = lookupName('gpu');
  if (!gpu.found || typeof gpu.value !== 'function') {
    throw new Error(
      `DArray: chunks on backend '${backend}' need the GPU module, which is not available in this process`,
    );
  }
  return (gpu.value as (a: NDArray, o: { backend: string }) => Promise<AnyArray>)(nd, { backend });
}

/** `x` on `backend`: itself when it is there already, else its host copy uploaded. */
export async function onChunkBackend(x: AnyArray, backend: string): Promise<AnyArray> {
  return x.backend === backend ? x : upload(x as NDArray, backend);
}

/**
 * Runs one command's work; on a GPU backend inside a scope() that frees its temporaries. CPU
 * chunks skip it: scope() rests on AsyncLocalStorage, whose promise hooks slow every later await
 * in the process.
 */
export function onBackend<T>(backend: string, work: () => Promise<T>): Promise<T> {
  return backend === 'cpu' ? work() : scope(work);
}
