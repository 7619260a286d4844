/**
 * The CPU kernel of `matvecBlock`: a matrix–vector product built from blocks, so that a DArray
 * owner can start on its own part of the vector while the other parts are still on their way.
 */
import { checkColumnBlock } from '../../src/array/matvec-block.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { ColumnBlock } from '../../src/array/protocol.js';

/**
 * y = A[:, start:start+x.size]·x, or y += that with `accumulate`, optionally over a range of rows
 * only, in plain JS loops (the WASM backend registers a SIMD variant in front of it).
 */
export function matvecBlock(a: NDArray, x: NDArray, y: NDArray, block: ColumnBlock): void {
  checkColumnBlock(a, x, y, block);
  const [m = 0, lda = 0] = a.shape;
  const n = x.size;
  const [r0, r1] = block.rows ?? [0, m];
  const A = a.data;
  const X = x.data;
  const Y = y.data as { [i: number]: number };
  for (let r = r0; r < r1; r++) {
    const o = r * lda + block.start;
    let s = 0;
    for (let j = 0; j < n; j++) s += A[o + j]! * X[j]!;
    Y[r] = block.accumulate ? Y[r]! + s : s;
  }
}
