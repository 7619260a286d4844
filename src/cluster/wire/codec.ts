/**
 * The body codec: msgpack for structure, with every TypedArray and Buffer lifted out into a side
 * list so the frame layer can write their bytes as they are (no per-element encoding, no copy into
 * the msgpack buffer) and hand them back as views of the received frame.
 */
import { addExtension, Packr } from 'msgpackr';

type TypedArrayCtor =
  | Float64ArrayConstructor
  | Float32ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** TypedArray constructors by wire code; the index is what crosses the wire. */
export const TYPED_ARRAYS: readonly TypedArrayCtor[] = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  BigInt64Array,
  BigUint64Array,
];
const BUFFER_CODE = 255;

/** Per-call state: extensions run synchronously inside pack/unpack, so module-level slots are safe. */
let outBufs: ArrayBufferView[] = [];
let inBufs: ArrayBufferView[] = [];
let encodeTarget = 0;

/** The pid the body being encoded is addressed to, for extensions that depend on it (shipped functions). */
export function currentEncodeTarget(): number {
  return encodeTarget;
}

// Extension type codes: 1..19 are reserved for the runtime; later issues (arrays, channels) take 20+.
const liftOut = (view: ArrayBufferView): number => outBufs.push(view) - 1;
const takeIn = (index: number): ArrayBufferView | undefined => inBufs[index];
for (const Class of [...TYPED_ARRAYS, Buffer]) {
  addExtension({
    Class: Class as unknown as new () => ArrayBufferView,
    type: 1,
    write: liftOut,
    read: takeIn,
  });
}

/** Registers a class to cross the wire as `write(x)` and be rebuilt with `read`. Type codes 20–99 are free. */
export function registerWireType<T>(
  type: number,
  Class: abstract new (...args: never[]) => T,
  write: (x: T) => unknown,
  read: (data: never) => T,
): void {
  addExtension({ Class: Class as unknown as new () => T, type, write, read });
}

// Records keep plain objects and Maps apart on the wire; each message carries its own record
// definitions, so frames decode independently of one another.
const encodedHooks: ((ok: boolean) => void)[] = [];
/** Runs after each body encoding, successful or not (used to commit per-peer state only on success). */
export function onEncoded(fn: (ok: boolean) => void): void {
  encodedHooks.push(fn);
}

const packr = new Packr({ useRecords: true, mapsAsObjects: false, moreTypes: true });

/** An encoded value: msgpack bytes, plus its TypedArray payloads to be written raw after them. */
export interface EncodedBody {
  bytes: Uint8Array;
  bufs: ArrayBufferView[];
}

/** Encodes a value; TypedArrays are returned separately, in order, as `bufs`. */
export function encodeBody(value: unknown, target = 0): EncodedBody {
  const saved = outBufs;
  const savedTarget = encodeTarget;
  outBufs = [];
  encodeTarget = target;
  let ok = false;
  try {
    const bytes = packr.pack(value);
    ok = true;
    return { bytes, bufs: outBufs };
  } finally {
    for (const hook of encodedHooks) hook(ok);
    outBufs = saved;
    encodeTarget = savedTarget;
  }
}

/** Element type for a typed-array wire code, used by the frame reader to rebuild views. */
export function ctorFor(code: number): TypedArrayCtor | 'buffer' {
  if (code === BUFFER_CODE) return 'buffer';
  const C = TYPED_ARRAYS[code];
  if (!C) throw new Error(`unknown typed array code ${code} in frame`);
  return C;
}

/** Wire code of a view, so the receiver can rebuild it as the same type. */
export function codeFor(view: ArrayBufferView): number {
  if (Buffer.isBuffer(view)) return BUFFER_CODE;
  const i = TYPED_ARRAYS.findIndex((C) => view instanceof C);
  return i < 0 ? 7 : i;
}

/** Decodes a body whose side buffers have already been rebuilt as views. */
export function decodeBody(bytes: Uint8Array, bufs: ArrayBufferView[]): unknown {
  return decodeBodyAt(bytes, 0, bytes.length, bufs);
}

/** Decodes the body held in `source[start, end)`, in place (no view of the range is made). */
export function decodeBodyAt(
  source: Uint8Array,
  start: number,
  end: number,
  bufs: ArrayBufferView[],
): unknown {
  const saved = inBufs;
  inBufs = bufs;
  try {
    return packr.unpack(source, { start, end });
  } finally {
    inBufs = saved;
  }
}
