/** The tfjs kernel of `repeat`. */

import type { GPUArray } from '../../gpu/array.js';
import { repeatMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherTfjs } from './gather.js';
import { tfjsOf } from './operands.js';

/** Julia's repeat(a; inner, outer), counts one per axis (a.shape padded with 1s to their length). */
export function repeatTfjs(a: AnyArray, inner: readonly number[], outer: readonly number[]): GPUArray {
  const shape = [...a.shape, ...new Array<number>(inner.length - a.shape.length).fill(1)];
  return gatherTfjs(tfjsOf('repeat', [a]), a, repeatMap(shape, inner, outer), 'repeat');
}
