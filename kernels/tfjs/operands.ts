/** Turns op arguments (GPUArrays, host NDArrays, numbers) into tensors for the tfjs kernels. */

import { GPUArray } from '../../gpu/array.js';
import { toFloat32 } from '../../gpu/convert.js';
import { backendOfArgs, ownStorage } from '../../gpu/operands.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, Operand } from '../../src/array/protocol.js';
import { ArgumentError } from '../../src/errors.js';
import { type Tensor, type TfjsBackend, TfjsStorage } from './backend.js';

/** The tfjs backend of the first GPUArray on 'tfjs' among `args`. */
export function tfjsOf(op: string, args: readonly unknown[]): TfjsBackend {
  return backendOfArgs<TfjsBackend>('tfjs', op, args);
}

/**
 * The tensor of an argument: a tfjs GPUArray's own, an upload of a host array or a number. Uploads
 * are new tensors: call inside tf.tidy so they are freed.
 */
export function tensorOf(b: TfjsBackend, a: Operand, op: string): Tensor {
  if (typeof a === 'number') return b.tf.scalar(a, 'float32');
  const own = ownStorage<TfjsStorage>('tfjs', a, op);
  if (own) return own.tensor;
  const nd = a as AnyArray as NDArray;
  if (nd.backend !== 'cpu')
    throw new ArgumentError(`${op} (tfjs): cannot read an array on '${nd.backend}'; collect() it first`);
  const data = toFloat32(nd.data);
  return b.tf.tensor(
    data.buffer instanceof SharedArrayBuffer ? new Float32Array(data) : data,
    [...nd.shape],
    'float32',
  );
}

/** A new GPUArray owning `t` (kept out of any tf.tidy by the caller). */
export function wrap(b: TfjsBackend, t: Tensor): GPUArray {
  return new GPUArray(b, new TfjsStorage(t), t.shape);
}
