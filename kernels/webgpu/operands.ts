/** Turns op arguments (GPUArrays, host NDArrays, numbers) into WebGPU storages for a kernel. */

import type { GPUArray } from '../../gpu/array.js';
import { toFloat32 } from '../../gpu/convert.js';
import { backendOfArgs as ofArgs, ownStorage } from '../../gpu/operands.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, Operand } from '../../src/array/protocol.js';
import { ArgumentError, describe } from '../../src/errors.js';
import type { WebGPUBackend, WebGPUStorage } from './backend.js';

/** An array argument on the device; `temp` when uploaded for this call only. */
export interface DeviceArray {
  readonly storage: WebGPUStorage;
  readonly shape: readonly number[];
  readonly size: number;
  readonly temp: boolean;
}

/** The WebGPU backend of the first GPUArray among `args`. */
export function backendOfArgs(op: string, args: readonly unknown[]): WebGPUBackend {
  return ofArgs<WebGPUBackend>('webgpu', op, args);
}

/**
 * The device array of `a`: its own storage for a webgpu GPUArray, an upload of a host NDArray.
 * `split` is for kernels that bind large arrays in parts, so one binding's limit does not apply.
 */
export function onDevice(b: WebGPUBackend, a: AnyArray, op: string, split = false): DeviceArray {
  const storage = ownStorage<WebGPUStorage>('webgpu', a, op);
  if (storage) {
    if (!split) checkBinding(b, storage.bytes, op);
    return { storage, shape: a.shape, size: (a as GPUArray).size, temp: false };
  }
  if (a.backend !== 'cpu')
    throw new ArgumentError(
      `${op} (webgpu): cannot read ${describe(a)} on backend '${a.backend}'; collect() it first`,
    );
  const nd = a as NDArray;
  if (!split) checkBinding(b, nd.size * 4, op);
  return { storage: b.upload(toFloat32(nd.data)), shape: nd.shape, size: nd.size, temp: true };
}

/** Refuses arrays larger than one storage binding (128 MiB by default on many adapters). */
export function checkBinding(b: WebGPUBackend, bytes: number, op: string): void {
  if (bytes > b.maxBinding)
    throw new ArgumentError(
      `${op} (webgpu): the array has ${bytes} bytes but this adapter binds at most ${b.maxBinding} bytes ` +
        'per storage buffer; only mul (matrix–vector) splits larger matrices. Split the array or use a DArray',
    );
}

/**
 * Rows per block when `rows` rows of `rowSize` float32 each are bound a block at a time: all of them
 * when they fit one binding, else as many as fit with every block starting on a 256-byte boundary
 * (binding offsets must). 0 when one row (or one aligned step of rows) is over the limit.
 */
export function rowsPerBinding(b: WebGPUBackend, rows: number, rowSize: number): number {
  if (rowSize === 0) return rows;
  const fit = Math.floor(b.maxBinding / 4 / rowSize);
  if (fit >= rows) return rows;
  const step = 64 / gcd(rowSize, 64);
  return fit - (fit % step);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Releases the temporaries among `xs`. */
export function releaseTemps(xs: readonly (DeviceArray | number)[]): void {
  for (const x of xs) if (typeof x !== 'number' && x.temp) x.storage.release();
}

/** Device arrays for the array arguments; numbers stay numbers. */
export function operands(b: WebGPUBackend, args: readonly Operand[], op: string): (DeviceArray | number)[] {
  return args.map((a) => (typeof a === 'number' ? a : onDevice(b, a, op)));
}

/** A binding of a device array's logical bytes. */
export function bind(x: DeviceArray): { buffer: GPUBuffer; size: number } {
  return { buffer: x.storage.buffer, size: x.size * 4 };
}
