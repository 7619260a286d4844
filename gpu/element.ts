/**
 * One element of a GPUArray by normalized indices, for the getindex/setindex kernels of every GPU
 * backend: a transfer of one float32 each way. An explicit getindex with a number per dimension
 * asks for one number, so it needs no allowScalar (unlike GPUArray.get inside loops).
 */
import { allScalar, type Indices, selOffsets } from '../src/array/indices.js';
import type { AnyArray } from '../src/array/protocol.js';
import { GPUArray } from './array.js';

/** The flat offset of an all-scalar selection, or undefined when the selection is not one element. */
export function scalarOffset(a: GPUArray, ix: Indices): number | undefined {
  return allScalar(ix.sels) ? selOffsets(a.shape, ix).base : undefined;
}

/** Reads the element at flat offset `off` from the device. */
export async function readElement(a: GPUArray, off: number): Promise<number> {
  return (await a.impl.download(a.storage, off, 1))[0] as number;
}

/** Writes one element at flat offset `off` on the device. */
export function writeElement(a: GPUArray, off: number, v: number): Promise<void> {
  return a.impl.write(a.storage, off, Float32Array.of(v));
}

/** The value to write at one position: a number, or the one element of a GPU or host array. */
export async function firstElement(v: AnyArray | number): Promise<number> {
  if (typeof v === 'number') return v;
  if (v instanceof GPUArray) return readElement(v, 0);
  return (v as AnyArray & { data: ArrayLike<number> }).data[0] as number;
}
