/** gpu(A, { backend }): uploads an array to a GPU backend as float32 (CUDA.jl's `cu`). */
import { isDType } from '../src/array/dtype.js';
import { NDArray } from '../src/array/ndarray.js';
import { collect } from '../src/array/ops.js';
import type { AnyArray } from '../src/array/protocol.js';
import { isArrayLike } from '../src/array/registry.js';
import { ArgumentError, describe } from '../src/errors.js';
import { GPUArray } from './array.js';
import type { GPUBackendName } from './backend.js';
import { gpuBackend } from './select.js';
import { uploadTo } from './upload.js';

/** Options of {@link gpu}. */
export interface GPUOptions {
  /** A registered GPU backend: 'webgpu' (Dawn), 'tfjs' or 'gpujs'; default: the first of them that starts. */
  backend?: GPUBackendName;
  /** Only 'float32' (the default) is accepted: GPU arrays are float32. */
  dtype?: string;
}

/**
 * Copies `a` to a GPU backend. float64 (and integer) data are converted to float32, as CUDA.jl's
 * `cu` does; asking for float64 explicitly is an error. A GPUArray already on that backend is
 * returned as is; one on another backend is copied through the host.
 *
 * @example
 * const g = await gpu(rand([4096, 4096]), { backend: 'webgpu' });
 * const y = await mul(g, await gpu(rand([4096])));   // a GPUArray
 */
export async function gpu(a: AnyArray, options: GPUOptions = {}): Promise<GPUArray> {
  if (options.dtype !== undefined && options.dtype !== 'float32')
    throw new ArgumentError(
      `gpu: GPU arrays hold float32, got dtype '${options.dtype}'` +
        (options.dtype === 'float64'
          ? '. float64 is refused on the GPU (WebGPU has no f64); omit dtype to convert to float32, or keep the array on the CPU'
          : isDType(options.dtype)
            ? '; omit dtype to convert to float32'
            : ''),
    );
  if (!isArrayLike(a))
    throw new ArgumentError(`gpu: expected an array (e.g. an NDArray), got ${describe(a)}`);
  const backend = await gpuBackend(options.backend);
  if (a instanceof GPUArray && a.backend === backend.name) return a;
  const host = a instanceof NDArray ? a : await collect(a);
  return uploadTo(backend, host);
}
