/**
 * WebGPU usage flags as numbers: the `GPUBufferUsage` globals exist only once Dawn's globals are
 * installed on globalThis, which this library does not do (it would change every importer's globals).
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** `GPUMapMode` as numbers, for `buffer.mapAsync`, for the same reason as BufferUsage. */
export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;
