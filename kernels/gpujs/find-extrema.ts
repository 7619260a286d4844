/**
 * The gpujs kernel of `findExtrema` (findmax, findmin, argmax, argmin, findfirst). It goes through
 * the host: one download, the CPU kernel's scan (NaN wins, the first index on ties, as Julia), and
 * an upload of the two reduced arrays. The indices are float32 on the device: exact up to 2^24.
 */
import type { GPUArray } from '../../gpu/array.js';
import { collectGPU } from '../../gpu/collect.js';
import { backendOfArgs } from '../../gpu/operands.js';
import { uploadTo } from '../../gpu/upload.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { findExtremaCpu } from '../cpu/find-extrema.js';

/** The gpujs kernel of `findExtrema`, through the host. */
export async function findExtremaGpujs(
  x: AnyArray,
  dims: readonly number[],
  which: 'max' | 'min',
): Promise<[GPUArray, GPUArray]> {
  const b = backendOfArgs('gpujs', `find${which}`, [x]);
  const [v, i] = findExtremaCpu(await collectGPU(x), dims, which);
  return [uploadTo(b, v), uploadTo(b, i)];
}
