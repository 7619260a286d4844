/** Array types that cross the wire: an NDArray travels as its shape and raw data bytes. */

import type { TypedArray } from '../array/dtype.js';
import { NDArray } from '../array/ndarray.js';
import { registerWireType } from '../cluster/wire/codec.js';

registerWireType(
  20,
  NDArray,
  (a: NDArray) => [a.shape, a.data],
  ([shape, data]: [number[], TypedArray]) => NDArray.fromData(data, shape),
);
