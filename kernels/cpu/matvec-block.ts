/**
 * The CPU kernel of `matvecBlock`: a matrix–vector product built from blocks, so that a DArray
 * owner can start on its own part of the vector while the other parts are still on their way.
 */
import { checkColumnBlock } from '../../src/array/matvec-block.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { ColumnBlock } from '../../src/array/protocol.js';
import { matvecRows } from './mul.js';

/**
 * y = A[:, start:start+x.size]·x, or y += that with `accumulate`, optionally over a range of rows
 * only, in plain JS loops (the WASM backend registers a SIMD variant in front of it).
 */
export function matvecBlock(a: NDArray, x: NDArray, y: NDArray, block: ColumnBlock): void {
  checkColumnBlock(a, x, y, block);
  const [m = 0, lda = 0] = a.shape;
  const [r0, r1] = block.rows ?? [0, m];
  // The same loop as mul's (2-2.5× faster than one row at a time on a DArray owner's 128×256 block).
  matvecRows(
    a.data,
    x.data,
    y.data as { [i: number]: number },
    x.size,
    r0,
    r1,
    lda,
    block.start,
    block.accumulate,
  );
}
