/** The CPU kernel of `solveTriangular`. */
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { solveTriangularHost } from '../../src/linalg/host.js';

/** Forward or back substitution on the host. */
export const solveTriangularCpu = (a: AnyArray, b: AnyArray, lower: boolean): NDArray =>
  solveTriangularHost(a as NDArray, b as NDArray, lower);
