/**
 * GPU kernels that run on the host: one download, the host loop, one upload. Used where a backend
 * has no sensible device kernel: cholesky and solveTriangular (sequential column by column; the
 * small matrices of this library's users gain nothing from a blocked device version), and `random`
 * on tfjs and gpu.js, which have no exact 32-bit integer arithmetic for the generator's hash.
 */
import { NDArray } from '../src/array/ndarray.js';
import type { AnyArray, OutSpec } from '../src/array/protocol.js';
import { fillRandom, type RandomSpec } from '../src/array/random-op.js';
import { getBackend } from '../src/array/registry.js';
import { choleskyHost, solveTriangularHost } from '../src/linalg/host.js';
import { GPUArray } from './array.js';
import type { GPUBackend, GPUBackendName } from './backend.js';
import { collectGPU } from './collect.js';
import { uploadTo } from './upload.js';

function deviceOf(op: string, args: readonly AnyArray[]): GPUBackend {
  const g = args.find((a): a is GPUArray => a instanceof GPUArray);
  if (!g) throw new Error(`${op}: expected a GPUArray among the arguments`);
  return g.impl;
}

/** `cholesky` through the host, for any GPU backend. */
export async function choleskyViaHost(a: AnyArray): Promise<GPUArray> {
  return uploadTo(deviceOf('cholesky', [a]), choleskyHost(await collectGPU(a)));
}

/** `solveTriangular` through the host, for any GPU backend. */
export async function solveTriangularViaHost(a: AnyArray, b: AnyArray, lower: boolean): Promise<GPUArray> {
  const dev = deviceOf('solveTriangular', [a, b]);
  return uploadTo(dev, solveTriangularHost(await collectGPU(a), await collectGPU(b), lower));
}

/** The `random` kernel of GPU backend `name` through the host: the numbers made there, then uploaded. */
export function randomViaHost(name: GPUBackendName) {
  return async (spec: RandomSpec, out: OutSpec): Promise<GPUArray> => {
    const data = new Float32Array(out.shape.reduce((s, n) => s * n, 1));
    fillRandom(data, out.shape, spec, true);
    if (out.into instanceof GPUArray) {
      await out.into.impl.write(out.into.storage, 0, data);
      return out.into;
    }
    const b = (await getBackend(name)) as GPUBackend;
    return uploadTo(b, new NDArray(data, out.shape));
  };
}
