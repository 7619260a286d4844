/**
 * The AVX2 + FMA matvec of the package's native addon (native/matvec.c), in the WASM kernel's
 * calling convention (byte offsets into the heap), for the processors and platforms that have it.
 * It reads the same heap as the WASM kernel, so matvec.ts swaps one for the other per call.
 */
import { loadNative, type MatvecAddon, nativeFile } from '../../src/native/load.js';
import { heapBuffer } from './heap.js';
import type { MatvecKernel } from './module.js';

interface NativeMatvec {
  f64: MatvecKernel;
  f32: MatvecKernel;
  /** The addon's file, for the pool's threads to load. */
  file: string;
}

let native: NativeMatvec | null | undefined;
let reason = '';

function load(): NativeMatvec | null {
  if (process.env.DARRAY_NATIVE_MATVEC === '0') {
    reason = 'turned off by DARRAY_NATIVE_MATVEC=0';
    return null;
  }
  const file = nativeFile('matvec');
  let addon: MatvecAddon;
  try {
    addon = loadNative<MatvecAddon>('matvec', 'The AVX2 matvec');
  } catch (err) {
    reason = (err as Error).message;
    return null;
  }
  if (!file || !addon.supported()) {
    reason = 'this CPU lacks AVX2 or FMA';
    return null;
  }
  // A view over the whole heap, made again when a grow replaces the buffer.
  let view = new Uint8Array(heapBuffer());
  const heap = (): Uint8Array => {
    const b = heapBuffer();
    if (view.buffer !== b) view = new Uint8Array(b);
    return view;
  };
  return {
    f64: (...args) => addon.f64(heap(), ...args),
    f32: (...args) => addon.f32(heap(), ...args),
    file,
  };
}

/** The native matvec, or null (then {@link nativeMatvecReason} says why). */
export function nativeMatvec(): NativeMatvec | null {
  if (native === undefined) native = load();
  return native;
}

/** Why the native matvec is not used ('' when it is). */
export function nativeMatvecReason(): string {
  nativeMatvec();
  return reason;
}
