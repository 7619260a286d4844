/** Installs the WASM SIMD and worker-pool accelerators into the CPU kernels when they load. */
import { setBroadcastRunner } from '../cpu/broadcast.js';
import { setMatvecAccelerator } from '../cpu/mul.js';
import { wasmBroadcast } from './broadcast.js';
import { matvecWasm } from './matvec.js';
import { wasmKernels } from './module.js';

/** Turns the accelerators on (true if the WASM kernels loaded) or off. */
export function useAccelerators(on = true): boolean {
  if (on && wasmKernels()) {
    setMatvecAccelerator(matvecWasm);
    setBroadcastRunner(wasmBroadcast);
    return true;
  }
  setMatvecAccelerator(undefined);
  setBroadcastRunner(undefined);
  return false;
}
