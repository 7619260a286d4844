/** The CPU kernel of `collect`: an NDArray is already on the host, so it is returned as is. */
import type { NDArray } from '../../src/array/ndarray.js';

/** Returns `x` itself: host data needs no transfer, so collect is free on the CPU. */
export function collectCpu(x: NDArray): NDArray {
  return x;
}
