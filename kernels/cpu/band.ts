/** The CPU kernel of `band` (triu, tril). */
import type { NDArray } from '../../src/array/ndarray.js';
import type { AnyArray } from '../../src/array/protocol.js';
import { bandHost } from '../../src/linalg/host.js';

/** Keeps lo ≤ j − i ≤ hi of a host matrix. */
export const bandCpu = (a: AnyArray, lo: number, hi: number): NDArray => bandHost(a as NDArray, lo, hi);
