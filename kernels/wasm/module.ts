/**
 * Loads the WASM kernels built by scripts/build-kernels.mjs (kernels/wasm/build/kernels.wasm,
 * next to this file both in the sources and in dist/) and instantiates them over the shared heap.
 */
import { readFileSync } from 'node:fs';
import type { MatvecArgs } from '../../src/native/load.js';
import { type WasmModule, wasm } from './api.js';
import { wasmMemory } from './heap.js';

/** y (+)= A·x over rows [start, end) of a matrix of n columns whose rows are lda apart (matvec.as.ts). */
export type MatvecKernel = (...args: MatvecArgs) => void;

/** The exported kernels; pointers are byte offsets into the shared memory. */
export interface WasmKernels {
  matvec_f64: MatvecKernel;
  matvec_f32: MatvecKernel;
  read_f64(a: number, n: number): number;
}

let loaded: { module: WasmModule; kernels: WasmKernels } | null | undefined;
let failure = '';

/** Imports the kernels need besides the memory: AssemblyScript's abort, which cannot fire with --noAssert. */
export function wasmImports(memory: unknown): Record<string, Record<string, unknown>> {
  return {
    env: {
      memory,
      abort: () => {
        throw new Error('darray: WASM kernel aborted');
      },
    },
  };
}

/** The compiled module and its instance on this thread, or null when unavailable (see wasmStatus). */
export function wasmKernels(): { module: WasmModule; kernels: WasmKernels } | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const memory = wasmMemory();
  if (!memory) {
    failure = 'shared WebAssembly memory is not available';
    return loaded;
  }
  try {
    const bytes = readFileSync(new URL('./build/kernels.wasm', import.meta.url));
    const module = new wasm.Module(bytes);
    const instance = new wasm.Instance(module, wasmImports(memory));
    loaded = { module, kernels: instance.exports as unknown as WasmKernels };
  } catch (e) {
    failure = `kernels/wasm/build/kernels.wasm could not be loaded (${(e as Error).message}); run npm run build`;
  }
  return loaded;
}

/** Whether the WASM kernels are in use, and why not when they are not. */
export function wasmStatus(): { loaded: boolean; reason: string } {
  const ok = wasmKernels() !== null;
  return { loaded: ok, reason: ok ? '' : failure };
}
