/** The CPU kernel of `diagm`. */
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { diagmHost } from '../../src/linalg/host.js';

/** A host matrix with v on its k-th diagonal. */
export const diagmCpu = (v: AnyArray, k: number): NDArray => diagmHost(v as NDArray, k);
