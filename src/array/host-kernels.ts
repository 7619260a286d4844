/**
 * Kernels of the host backend ('cpu') beyond the public ops, for DArray owners that work on their
 * NDArray chunks in place: looked up by name in the registry like any op, so darray/ need not
 * import kernels/ (and the WASM variants apply to them too).
 */
import type { Lambda } from './ir/types.js';
import type { NDArray } from './ndarray.js';

/**
 * A block of the matrix: x.size columns from `start`, over all rows or over `rows`; x holds the
 * block's part of the vector, y the whole result, to which the block's product may be added.
 */
export interface ColumnBlock {
  /** First column of the block; x.size columns from there. */
  start: number;
  /** Add the block's product to y instead of replacing y. */
  accumulate: boolean;
  /** Rows [first, end) of the block (default: all). */
  rows?: readonly [number, number];
}

declare module './protocol.js' {
  interface OpKernels {
    /** y = A[rows, start:start+x.size]·x, or y += that with `block.accumulate` (host arrays only). */
    matvecBlock(a: NDArray, x: NDArray, y: NDArray, block: ColumnBlock): void;
    /** y *= alpha in place (host arrays only). */
    scaleInPlace(y: NDArray, alpha?: number): void;
    /** A two-parameter lambda as a plain JS function of two numbers, compiled once per source. */
    binaryFunction(l: Lambda): (a: number, b: number) => number;
  }
}
