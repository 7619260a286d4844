/** The `matvecBlock` op: one block of a matrix–vector product, in place, on any backend with the kernel. */
import { ArgumentError } from '../errors.js';
import type { AnyArray, ColumnBlock } from './protocol.js';
import { backendOf, getKernel, isArrayLike } from './registry.js';

/**
 * Checks a block product's shapes: `a` a matrix, `x` a vector no longer than the columns left from
 * `block.start`, `y` a vector of a's rows, and `block.rows` within them. Throws ArgumentError.
 */
export function checkColumnBlock(a: AnyArray, x: AnyArray, y: AnyArray, block: ColumnBlock): void {
  const [m = 0, lda = 0] = a.shape;
  const n = x.shape.reduce((s, d) => s * d, 1);
  const ySize = y.shape.reduce((s, d) => s * d, 1);
  const [r0, r1] = block.rows ?? [0, m];
  if (
    a.shape.length !== 2 ||
    ySize !== m ||
    block.start < 0 ||
    block.start + n > lda ||
    r0 < 0 ||
    r1 > m ||
    r0 > r1
  )
    throw new ArgumentError(
      `matvecBlock: rows [${r0}, ${r1}) and columns [${block.start}, ${block.start + n}) of a [${a.shape}] matrix into a vector of ${ySize}`,
    );
}

/**
 * y[rows] = a[rows, start:start+x.size]·x, or y[rows] += that with `block.accumulate`, in place on
 * `y`. A kernel only some backends have (the CPU's); `hasKernel('matvecBlock', backend)` tells.
 *
 * @example await matvecBlock(A, xPiece, y, { start: 128, accumulate: true, rows: [0, 64] })
 */
export async function matvecBlock(a: AnyArray, x: AnyArray, y: AnyArray, block: ColumnBlock): Promise<void> {
  for (const [arg, v] of [
    ['a', a],
    ['x', x],
    ['y', y],
  ] as const)
    if (!isArrayLike(v)) throw new ArgumentError(`matvecBlock: ${arg} must be an array`);
  checkColumnBlock(a, x, y, block);
  await getKernel('matvecBlock', backendOf('matvecBlock', [a, x, y]))(a, x, y, block);
}
