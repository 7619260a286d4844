/** Element types an array can hold, and the TypedArray that stores each. */
import { ArgumentError, describe } from '../errors.js';

/** The element types of darray arrays. */
export type DType = 'float64' | 'float32' | 'int32' | 'uint8';

/** The TypedArray that stores each dtype. */
export interface TypedArrayFor {
  float64: Float64Array;
  float32: Float32Array;
  int32: Int32Array;
  uint8: Uint8Array;
}

/** Any TypedArray that can back an array. */
export type TypedArray = TypedArrayFor[DType];

type TypedArrayCtor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const ctors: Record<DType, TypedArrayCtor> = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
};

/** Every supported dtype, for validation and tests. */
export const DTYPES: readonly DType[] = ['float64', 'float32', 'int32', 'uint8'];

/** Whether `v` names a supported dtype. */
export function isDType(v: unknown): v is DType {
  return typeof v === 'string' && Object.hasOwn(ctors, v);
}

/** Throws an ArgumentError unless `v` is a supported dtype. */
export function checkDType(v: unknown, arg = 'dtype'): DType {
  if (!isDType(v))
    throw new ArgumentError(`${arg}: expected one of ${DTYPES.join(', ')}, got ${describe(v)}`);
  return v;
}

/** The TypedArray constructor for a dtype. */
export function ctorOf(dtype: DType): TypedArrayCtor {
  return ctors[dtype];
}

/** Bytes per element of a dtype. */
export function bytesOf(dtype: DType): number {
  return ctors[dtype].BYTES_PER_ELEMENT;
}

/** The dtype stored by a TypedArray, or undefined for other kinds of TypedArray. */
export function dtypeOfData(data: ArrayBufferView): DType | undefined {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  return undefined;
}

/**
 * The dtype of a computed result (broadcast, map, mul): float32 when every array input is float32,
 * float64 otherwise. Plain numbers never widen the result (NumPy's "weak scalar" rule), and integer
 * inputs give float64 because the arithmetic is done in doubles.
 */
export function resultDType(dtypes: readonly DType[]): DType {
  return dtypes.length > 0 && dtypes.every((d) => d === 'float32') ? 'float32' : 'float64';
}
