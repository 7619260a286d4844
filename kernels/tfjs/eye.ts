/** The tfjs kernel of `eye`. */

import type { GPUArray } from '../../gpu/array.js';
import { getBackend } from '../../src/array/registry.js';
import type { TfjsBackend } from './backend.js';
import { wrap } from './operands.js';

/** The n×n identity as a float32 tensor (tf.eye). */
export async function eyeTfjs(n: number): Promise<GPUArray> {
  const b = (await getBackend('tfjs')) as TfjsBackend;
  return wrap(b, b.tf.eye(n, n, undefined, 'float32'));
}
