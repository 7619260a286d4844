/** The gpu.js kernel of `cat`: one kernel over the result that reads each element from its input. */

import type { GPUArray } from '../../gpu/array.js';
import type { DType } from '../../src/array/dtype.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { sizeOf } from '../../src/array/shape.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/**
 * `arrays` joined along `dim`. Row-major, the result is `outer` blocks of `total` elements, and
 * input j fills `run_j` consecutive elements of each block, so an element finds its input by
 * comparing its place in the block with the inputs' running starts.
 */
export function catGpujs(
  arrays: readonly AnyArray[],
  dim: number,
  spec: { shape: readonly number[]; dtype: DType },
): GPUArray {
  const b = gpujsOf('cat', arrays);
  const size = sizeOf(spec.shape);
  if (size === 0) return wrap(b, new Float32Array(0), spec.shape);
  const outer = sizeOf(spec.shape.slice(0, dim));
  const total = size / outer;
  const parts = arrays.map((a) => ({ data: dataOf(a, 'cat'), run: sizeOf(a.shape) / outer }));
  const used = parts.filter((p) => p.run > 0);
  let start = 0;
  const branches = used.map((p, j) => {
    const s = start;
    start += p.run;
    return `if (r < ${start}) { return a${j}[blk * ${p.run} + r - ${s}]; }`;
  });
  const params = used.map((_, j) => `a${j}`).join(', ');
  const k = b.kernel(
    `function(${params}) { const blk = Math.floor(this.thread.x / ${total}); const r = this.thread.x - blk * ${total}; ${branches.join(' ')} return 0; }`,
    [size],
  );
  return wrap(b, flatten(k(...used.map((p) => p.data)), size), spec.shape);
}
