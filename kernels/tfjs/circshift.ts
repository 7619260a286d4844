/** The tfjs kernel of `circshift`. */

import type { GPUArray } from '../../gpu/array.js';
import { circshiftMap } from '../../src/array/index-map.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { gatherTfjs } from './gather.js';
import { tfjsOf } from './operands.js';

/** A new array with `a`'s elements shifted circularly by `shifts` (each in [0, n)). */
export function circshiftTfjs(a: AnyArray, shifts: readonly number[]): GPUArray {
  return gatherTfjs(tfjsOf('circshift', [a]), a, circshiftMap(a.shape, shifts), 'circshift');
}
