/**
 * The slice of the WebAssembly JS API that the kernels use, typed locally: the project compiles
 * without the DOM lib, and @types/node does not declare the WebAssembly global.
 */

/** A WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** A compiled WebAssembly.Module (opaque; transferable to worker threads). */
export type WasmModule = object & { readonly __wasmModule?: never };

/** A WebAssembly.Instance. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}

/** The host's WebAssembly namespace. */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
