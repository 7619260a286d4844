/** Copying a host array to a GPU backend: what gpu() and each GPU backend's `fromHost` do. */
import type { NDArray } from '../src/array/ndarray.js';
import { GPUArray } from './array.js';
import type { GPUBackend } from './backend.js';
import { toFloat32 } from './convert.js';

/** A new GPUArray on `backend` holding `host` as float32 (converted when it is not). */
export function uploadTo(backend: GPUBackend, host: NDArray): GPUArray {
  return new GPUArray(backend, backend.upload(toFloat32(host.data), host.shape), host.shape);
}
