/**
 * The gpu.js kernel of `reduceDims` (sum, prod, min, max, mapreduce and reduce with `dims`): each
 * pass of src/array/reduce-dims.ts is one kernel with a thread per result element, folding its
 * `len` elements in order. The one case without a kernel, an order-dependent lambda along axes
 * that are not adjacent, folds on the host.
 */
import type { GPUArray } from '../../gpu/array.js';
import { planReduce } from '../../src/array/ir/reduce-plan.js';
import type { Lambda } from '../../src/array/ir/types.js';
import { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray, Reducer } from '../../src/array/protocol.js';
import { type AxisPass, axisPasses, reducedShape } from '../../src/array/reduce-dims.js';
import { reduceDimsCpu } from '../cpu/reduce-dims.js';
import type { GpujsBackend } from './backend.js';
import { exprToGpujs } from './expr.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/**
 * gpu.js source of one pass; `s` is the starting value when the pass starts from init. An identity
 * start is replaced by the first mapped element (the same for a monoid), which avoids Infinity
 * literals for min and max.
 */
function passSource(p: AxisPass): string {
  const { decls: md, value: m } = p.map ? exprToGpujs(p.map, 'p', 'tm') : { decls: '', value: 'p0' };
  const s = exprToGpujs(p.step, ['acc', 'v'], 'ts');
  const fromInit = p.seed === 'init';
  return `function(x, s) {
  const t = this.thread.x;
  const o = Math.floor(t / ${p.inner});
  const base = o * ${p.len * p.inner} + (t - o * ${p.inner});
  let acc = s;
  ${fromInit ? '' : `{ const p0 = x[base]; ${md} acc = ${m}; }`}
  for (let k = ${fromInit ? 0 : 1}; k < ${p.len}; k++) {
    const p0 = x[base + k * ${p.inner}];
    ${md}
    const v = ${m};
    ${s.decls}
    acc = ${s.value};
  }
  return acc;
}`;
}

function runPass(b: GpujsBackend, p: AxisPass, x: Float32Array): Float32Array {
  const n = p.outer * p.inner;
  // Nothing to fold: every result element is the start (sum 0, prod 1, or init).
  if (n === 0 || p.len === 0)
    return new Float32Array(n).fill(p.seed === 'init' ? (p.init as number) : p.identity);
  return flatten(b.kernel(passSource(p), [n])(x, p.seed === 'init' ? (p.init as number) : 0), n);
}

/** The gpu.js kernel of `reduceDims`. */
export async function reduceDimsGpujs(
  map: Lambda | null,
  reducer: Reducer,
  x: AnyArray,
  dims: readonly number[],
  init: number | undefined,
): Promise<GPUArray> {
  const b = gpujsOf('mapreduce', [x]);
  const data = dataOf(x, 'mapreduce');
  const shape = reducedShape(x.shape, dims);
  const passes = axisPasses(planReduce(map, reducer, init), x.shape, dims);
  if (!passes)
    return wrap(
      b,
      Float32Array.from(reduceDimsCpu(map, reducer, new NDArray(data, x.shape), dims, init).data),
      shape,
    );
  let cur = data;
  for (const p of passes) cur = runPass(b, p, cur);
  return wrap(b, cur === data ? Float32Array.from(cur) : cur, shape);
}
