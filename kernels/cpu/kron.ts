/** The CPU kernel of `kron`. */
import { resultDType } from '../../src/array/dtype.js';
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { kronHost } from '../../src/linalg/host.js';

/** The Kronecker product of two host arrays. */
export const kronCpu = (a: AnyArray, b: AnyArray, out: { shape: readonly number[] }): NDArray =>
  kronHost(a as NDArray, b as NDArray, out.shape, resultDType([a.dtype, b.dtype]));
