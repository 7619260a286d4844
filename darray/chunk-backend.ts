/** Chunks on their backend: moving host data onto it, and running an owner's work there. */
import { scope } from '../gpu/scope.js';
import { fromHost } from '../src/array/backend.js';
import type { NDArray } from '../src/array/ndarray.js';
import type { AnyArray } from '../src/array/protocol.js';

/** Moves a host array onto `backend` ('cpu' keeps it as it is), with the backend's registered upload. */
export async function upload(nd: NDArray, backend: string): Promise<AnyArray> {
  if (backend === 'cpu') return nd;
  return fromHost(nd, backend);
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
