/** The WebGPU kernel of `mul`: matrix–vector (matvec.ts) or matrix–matrix (matmul.ts). */

import { GPUArray } from '../../gpu/array.js';
import { lambdaOf } from '../../src/array/ir/cache.js';
import type { AnyArray, OutSpec } from '../../src/array/protocol.js';
import type { WebGPUStorage } from './backend.js';
import { broadcastWebGPU } from './broadcast.js';
import { matmulWebGPU } from './matmul.js';
import { matvecWebGPU } from './matvec.js';
import { backendOfArgs, checkBinding, onDevice, releaseTemps } from './operands.js';

const scale = lambdaOf((x: number, alpha: number) => x * alpha);

/** α·A·b on the device; shapes were checked by `mul`. */
export async function mulWebGPU(a: AnyArray, b: AnyArray, out: OutSpec): Promise<GPUArray> {
  const be = backendOfArgs('mul', [a, b]);
  const [m = 0, k = 0] = a.shape;
  const n = b.shape.length === 2 ? (b.shape[1] ?? 0) : 1;
  checkBinding(be, m * n * 4, 'mul');
  // Matrix–vector products bind the matrix in row blocks, so it may exceed one binding.
  const da = onDevice(be, a, 'mul', b.shape.length === 1);
  const db = onDevice(be, b, 'mul');
  const y = new GPUArray(be, be.alloc(m * n * 4), out.shape);
  try {
    const target = (y.storage as WebGPUStorage).buffer;
    if (b.shape.length === 1) await matvecWebGPU(be, da, db, target, m, k, undefined, out.alpha ?? 1);
    else {
      await matmulWebGPU(be, da, db, target, m, k, n);
      // α in place, one more dispatch on the product (m×n elements).
      if (out.alpha !== undefined) await broadcastWebGPU(scale, [y, out.alpha], { ...out, into: y });
    }
    return y;
  } catch (e) {
    y.dispose();
    throw e;
  } finally {
    releaseTemps([da, db]);
  }
}
