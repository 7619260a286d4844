/**
 * The WASM variants of CPU kernels: each takes the calls its SIMD kernels (and thread pool) can run
 * over the shared heap and passes the others to the JS kernel behind it.
 */
import { empty } from '../../src/array/create.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { Operand } from '../../src/array/protocol.js';
import type { KernelVariant } from '../../src/array/registry.js';
import { sameShape } from '../../src/array/shape.js';
import { freeData } from '../../src/array/storage.js';
import { checkBlock, scaleInPlace } from '../cpu/mul.js';
import { wasmBroadcast } from './broadcast.js';
import { isResident } from './heap.js';
import { matvecWasm } from './matvec.js';

/** Matrix–vector products with the SIMD kernel; matrix–matrix products and the rest go on. */
export const mulVariant: KernelVariant<'mul'> = (next) => (a, b, out) => {
  const A = a as NDArray;
  const x = b as NDArray;
  // The checks matvecWasm would make first, so that a product it declines costs no extra output.
  if (x.ndim !== 1 || !isResident(A.data) || (out.dtype !== 'float64' && out.dtype !== 'float32'))
    return next(a, b, out);
  const y = empty(out.shape, out.dtype);
  if (!matvecWasm(A, x, y)) {
    freeData(y.data);
    return next(a, b, out);
  }
  scaleInPlace(y, out.alpha);
  return y;
};

/** Block products with the SIMD kernel, once the block is known to fit. */
export const matvecBlockVariant: KernelVariant<'matvecBlock'> = (next) => (a, x, y, block) => {
  checkBlock(a, x, y, block);
  if (!matvecWasm(a, x, y, block)) next(a, x, y, block);
};

/** Flat broadcasts whose arrays live in the shared heap, compiled to WASM. */
export const broadcastVariant: KernelVariant<'broadcast'> = (next) => (lambda, args, out) => {
  const arrays = args.filter((a): a is NDArray => typeof a !== 'number') as NDArray[];
  const flat = arrays.every((a) => sameShape(a.shape, out.shape) && isResident(a.data));
  if (!flat || (out.dtype !== 'float64' && out.dtype !== 'float32')) return next(lambda, args, out);
  const result = (out.into as NDArray | undefined) ?? empty(out.shape, out.dtype);
  const layout = args.map((a: Operand) => (typeof a === 'number' ? 's' : 'a')).join('');
  if (wasmBroadcast.run(lambda, layout, result, args)) return result;
  if (!out.into) freeData(result.data);
  return next(lambda, args, out);
};
