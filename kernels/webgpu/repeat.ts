/** The webgpu kernel of `repeat`. */

import type { GPUArray } from '../../gpu/array.js';
import { repeatMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherWebGPU } from './gather.js';
import { backendOfArgs } from './operands.js';

/** Julia's repeat(a; inner, outer), counts one per axis (a.shape padded with 1s to their length). */
export function repeatWebGPU(
  a: AnyArray,
  inner: readonly number[],
  outer: readonly number[],
): Promise<GPUArray> {
  const shape = [...a.shape, ...new Array<number>(inner.length - a.shape.length).fill(1)];
  return gatherWebGPU(backendOfArgs('repeat', [a]), a, repeatMap(shape, inner, outer), 'repeat');
}
