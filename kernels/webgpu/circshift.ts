/** The webgpu kernel of `circshift`. */

import type { GPUArray } from '../../gpu/array.js';
import { circshiftMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherWebGPU } from './gather.js';
import { backendOfArgs } from './operands.js';

/** A new array with `a`'s elements shifted circularly by `shifts` (each in [0, n)). */
export function circshiftWebGPU(a: AnyArray, shifts: readonly number[]): Promise<GPUArray> {
  return gatherWebGPU(backendOfArgs('circshift', [a]), a, circshiftMap(a.shape, shifts), 'circshift');
}
