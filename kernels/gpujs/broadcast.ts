/**
 * The gpu.js kernel of `broadcast`: one generated gpu.js kernel per (lambda, argument shapes), one
 * thread per output element; broadcast strides are constants in its source.
 */

import { GPUArray } from '../../gpu/array.js';
import { lowerLambda } from '../../src/array/ir/lower.js';
import type { Lambda } from '../../src/array/ir/types.js';
import type { Operand, OutSpec } from '../../src/array/protocol.js';
import { broadcastStrides, sameShape } from '../../src/array/shape.js';
import { ArgumentError } from '../../src/errors.js';
import type { GpujsStorage } from './backend.js';
import { exprToGpujs } from './expr.js';
import { dataOf, flatten, gpujsOf, wrap } from './operands.js';

/** gpu.js source computing element `this.thread.x` of the output of `shape`. */
export function broadcastGpujs(lambda: Lambda, args: readonly Operand[], shape: readonly number[]): string {
  const params = args.map((_, i) => `x${i}`).join(', ');
  const loads = args
    .map((a, i) => {
      if (typeof a === 'number') return `const p${i} = x${i};`;
      if (sameShape(a.shape, shape)) return `const p${i} = x${i}[i];`;
      const st = broadcastStrides(a.shape, shape);
      // Row-major index digits of i, times this argument's strides (0 on broadcast dimensions).
      const terms = shape
        .map((_, k) => {
          const inner = shape.slice(k + 1).reduce((s, d) => s * d, 1);
          return st[k] ? `Math.floor(i / ${inner}.0) % ${shape[k]}.0 * ${st[k]}.0` : '';
        })
        .filter(Boolean);
      return `const p${i} = x${i}[${terms.join(' + ') || '0'}];`;
    })
    .join(' ');
  const { decls, value } = exprToGpujs(lowerLambda(lambda));
  return `function(${params}) { const i = this.thread.x; ${loads} ${decls} return ${value}; }`;
}

/** The gpu.js kernel of `broadcast`. */
export function broadcastGpujsKernel(lambda: Lambda, args: readonly Operand[], out: OutSpec): GPUArray {
  const b = gpujsOf('broadcast', [out.into, ...args]);
  const n = out.shape.reduce((s, d) => s * d, 1);
  if (out.into && (!(out.into instanceof GPUArray) || out.into.backend !== 'gpujs'))
    throw new ArgumentError("broadcastInto (gpujs): out must be a GPUArray on 'gpujs'; gpu() it first");
  let result: Float32Array = new Float32Array(n);
  if (n > 0) {
    const k = b.kernel(broadcastGpujs(lambda, args, out.shape), [n]);
    result = flatten(k(...args.map((a) => (typeof a === 'number' ? a : dataOf(a, 'broadcast')))), n);
  }
  if (!out.into) return wrap(b, result, out.shape);
  (out.into.storage as GpujsStorage).data.set(result);
  return out.into as GPUArray;
}
