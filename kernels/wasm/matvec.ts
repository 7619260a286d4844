/**
 * Matrix–vector product with the WASM SIMD kernel, split by rows over the worker pool when the
 * matrix is large. A variant of the CPU backend's `mul` and `matvecBlock` kernels (see variants.ts).
 */
import type { NDArray } from '../../src/array/ndarray.js';
import type { ColumnBlock } from '../../src/array/protocol.js';
import { allocate, heapBuffer, isResident, release } from './heap.js';
import { wasmKernels } from './module.js';
import { nativeMatvec } from './native-matvec.js';
import {
  ARGS,
  claimRows,
  PoolOp,
  partCount,
  poolHasNativeMatvec,
  readyPool,
  resetRows,
  runParallel,
} from './pool.js';

/** Matrices of at least this many bytes are split over threads; below it signalling costs more. */
export const PARALLEL_MATVEC_BYTES = 1 << 22;
/** Bytes of the matrix per claimed chunk: enough to amortise the claim, small enough to balance. */
const CHUNK_BYTES = 1 << 20;

type Float = Float64Array | Float32Array;

// A vector's byte offset in the heap: its own when it lives there, else a scratch copy.
function place(v: Float, copyIn: boolean, scratch: number[]): number {
  if (isResident(v)) return v.byteOffset;
  const off = allocate(v.byteLength);
  if (off < 0) return -1;
  scratch.push(off, v.byteLength);
  if (copyIn)
    new Uint8Array(heapBuffer(), off, v.byteLength).set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return off;
}

/**
 * y = A·x (or, for a block, y (+)= A[rows, start:start+x.size]·x) with the AVX2 kernel of the native
 * addon where the CPU has it (native-matvec.ts), else WASM SIMD; returns false
 * (leaving y alone) when the kernels are not loaded, the dtypes are not one float type, or A does
 * not live in the shared heap (copying a large matrix each call would cost more than the plain JS
 * loop).
 */
export function matvecWasm(a: NDArray, x: NDArray, y: NDArray, block?: ColumnBlock): boolean {
  const w = wasmKernels();
  const dt = a.dtype;
  if (!w || (dt !== 'float64' && dt !== 'float32') || x.dtype !== dt || y.dtype !== dt) return false;
  if (!isResident(a.data)) return false;
  const [rows = 0, lda = 0] = a.shape;
  const n = block ? x.size : lda;
  const acc = block?.accumulate ? 1 : 0;
  // A range of rows is run as the sub-matrix it is: both pointers move to its first row.
  const [r0, r1] = block?.rows ?? [0, rows];
  const m = r1 - r0;
  if (m === 0) return true;
  const scratch: number[] = [];
  try {
    const xo = place(x.data as Float, true, scratch);
    const yPlaced = place(y.data as Float, acc === 1, scratch);
    if (xo < 0 || yPlaced < 0) return false;
    const bpe = a.data.BYTES_PER_ELEMENT;
    const ao = a.data.byteOffset + (r0 * lda + (block?.start ?? 0)) * bpe;
    const yo = yPlaced + r0 * bpe;
    const pool = m * n * bpe >= PARALLEL_MATVEC_BYTES ? readyPool() : null;
    // The AVX2 kernel where this thread and every pool thread have it; the WASM one otherwise.
    const nat = nativeMatvec();
    const useNative = nat !== null && (pool === null || poolHasNativeMatvec(pool));
    const f64 = dt === 'float64';
    const kernel = useNative ? (f64 ? nat.f64 : nat.f32) : f64 ? w.kernels.matvec_f64 : w.kernels.matvec_f32;
    const op = useNative
      ? f64
        ? PoolOp.NativeMatvecF64
        : PoolOp.NativeMatvecF32
      : f64
        ? PoolOp.MatvecF64
        : PoolOp.MatvecF32;
    if (!pool) kernel(ao, xo, yo, n, lda, 0, m, acc);
    else {
      // Each thread has a fixed share of the rows (cache reuse between calls) claimed in chunks,
      // so that a thread that starts late (a worker waking, a core taken by another process) has
      // its remaining chunks taken by the others. Chunks are multiples of 4 rows so every row goes
      // through the same blocked loop, and the result does not depend on which thread ran it.
      const chunk = Math.max(4, Math.floor(CHUNK_BYTES / bpe / Math.max(1, n) / 4) * 4);
      const parts = partCount(pool);
      resetRows(pool, m);
      runParallel(
        pool,
        op,
        (f, base) => {
          f.set([ao, xo, yo, n, m, chunk, parts, lda, acc], base + ARGS);
        },
        () => claimRows(pool, 0, m, chunk, (s, e) => kernel(ao, xo, yo, n, lda, s, e, acc)),
      );
    }
    if (!isResident(y.data)) {
      // Only the rows computed go back: the others of y may hold another block's results.
      const bytes = new Uint8Array(heapBuffer(), yo, m * bpe);
      new Uint8Array(y.data.buffer, y.data.byteOffset + r0 * bpe, m * bpe).set(bytes);
    }
    return true;
  } finally {
    for (let i = 0; i < scratch.length; i += 2) release(scratch[i]!, scratch[i + 1]!);
  }
}
