/** The WebGPU kernel of `dot`: one fused multiply-and-sum reduction over both arrays. */
import type { AnyArray } from '../../src/array/protocol.js';
import { backendOfArgs, onDevice, releaseTemps } from './operands.js';
import { MONOIDS, readScalar, reduceSteps } from './reduce.js';

/** Σ x[i]·y[i] on the device (host arrays among the two are uploaded). */
export async function dotWebGPU(x: AnyArray, y: AnyArray): Promise<number> {
  const b = backendOfArgs('dot', [x, y]);
  const dx = onDevice(b, x, 'dot');
  const dy = onDevice(b, y, 'dot');
  try {
    if (dx.size === 0) return 0;
    return await readScalar(b, reduceSteps(b, MONOIDS.sum, [dx, dy], 'p0 * p1'));
  } finally {
    releaseTemps([dx, dy]);
  }
}
