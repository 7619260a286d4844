/**
 * Where array data is allocated: small arrays on the JS heap, large ones from the registered host
 * allocator (the shared WASM heap of the CPU backend), or on the JS heap when none is registered.
 */
import { ctorOf, type DType, type TypedArrayFor } from './dtype.js';
import { type HostAllocator, hostAllocator } from './registry.js';

/**
 * Arrays of at least this many bytes live in the shared WebAssembly memory, where the SIMD kernels
 * and the worker pool use them in place. Below it an ordinary ArrayBuffer is cheaper to make and free.
 */
export const HEAP_THRESHOLD_BYTES = 1 << 20;

/**
 * A TypedArray of `length` elements of `dtype`, zero-filled unless `zero` is false (for outputs a
 * kernel overwrites entirely; clearing them would cost a full extra pass over memory).
 */
export function allocData<D extends DType>(dtype: D, length: number, zero = true): TypedArrayFor[D] {
  const C = ctorOf(dtype);
  const bytes = length * C.BYTES_PER_ELEMENT;
  const heap = bytes >= HEAP_THRESHOLD_BYTES ? hostAllocator() : undefined;
  if (heap) {
    // The token remembers its allocator, which may be replaced before the block is freed.
    const token = { heap };
    const block = heap.allocate(token, bytes);
    if (block) {
      const data = new C(block.buffer, block.offset, length) as TypedArrayFor[D];
      // Freed blocks are reused, so they must be cleared; the token lives as long as the data does.
      if (zero) data.fill(0);
      keepAlive.set(data, token);
      return data;
    }
  }
  return new C(length) as TypedArrayFor[D];
}

// The allocation token is referenced only from its data, so the block is released exactly when
// the TypedArray that owns it is collected.
const keepAlive = new WeakMap<object, { heap: HostAllocator }>();

/**
 * Returns the heap block of `data` to the allocator at once. Only for data made by allocData and
 * never used again (no views of it either); false for anything else, which the GC handles.
 */
export function freeData(data: object): boolean {
  const token = keepAlive.get(data);
  if (!token) return false;
  keepAlive.delete(data);
  return token.heap.release(token);
}
