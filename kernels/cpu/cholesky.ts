/** The CPU kernel of `cholesky`. */
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { choleskyHost } from '../../src/linalg/host.js';

/** The lower Cholesky factor of a host matrix. */
export const choleskyCpu = (a: AnyArray): NDArray => choleskyHost(a as NDArray);
