/** The CPU kernel of `diag`. */
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { diagHost } from '../../src/linalg/host.js';

/** The k-th diagonal of a host matrix. */
export const diagCpu = (a: AnyArray, k: number): NDArray => diagHost(a as NDArray, k);
