/**
 * A compact binary form for the bodies of most calls and replies: numbers, short ASCII strings,
 * booleans, null, undefined, plain arrays of those, and functions the receiver already holds
 * (by a short id, see setFunctionIds). Anything else, or a body too large for the scratch buffer,
 * is left to msgpack: encodeCompact answers undefined and the caller falls back. The form starts
 * with 0xc1, a byte msgpack never writes (msgpackr only with bundled strings, which we do not
 * enable), so the reader can tell the two apart.
 */

/** The first byte of a compact body. */
export const COMPACT_BODY = 0xc1;

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT32 = 4;
const T_FLOAT64 = 5;
const T_ASCII = 6;
const T_ARRAY = 7;
const T_FUNCTION = 8;
/** Tags 0x80–0xff are the integers 0–127 themselves: one byte, as in msgpack. */
const T_SMALL = 0x80;

/** Longer strings, deeper or longer arrays go to msgpack: the compact form is for small calls. */
const MAX_STRING = 256;
const MAX_ARRAY = 64;
const MAX_DEPTH = 4;

/**
 * How functions cross in the compact form: `encode` gives a function's id when `target` already
 * holds it (or -1: then the body goes to msgpack, which sends its source), `owner` the pid the ids
 * belong to (this process), and `decode` finds the function `owner` numbered `id`.
 */
export interface FunctionIds {
  encode(fn: (...args: never[]) => unknown, target: number): number;
  owner(): number;
  decode(owner: number, id: number): unknown;
}

let functionIds: FunctionIds | undefined;

/** Lets the function-shipping layer (remote/ship.ts) give functions their compact form. */
export function setFunctionIds(ids: FunctionIds): void {
  functionIds = ids;
}

const scratch = Buffer.allocUnsafeSlow(2048);
/** Where encodeCompact writes. */
export const compactScratch: Buffer = scratch;
let pos = 0;
let target = 0;

/**
 * Writes `value` in the compact form to the start of {@link compactScratch} and returns its length
 * (copy it before the next call), or 0 when the value has no compact form.
 */
export function encodeCompact(value: unknown, to: number): number {
  pos = 1;
  target = to;
  scratch[0] = COMPACT_BODY;
  try {
    return put(value, 0) ? pos : 0;
  } catch {
    // A getter or Proxy that throws: msgpack runs it again and reports the error as it always has.
    return 0;
  }
}

function put(v: unknown, depth: number): boolean {
  if (pos + 9 > scratch.length) return false;
  switch (typeof v) {
    case 'number':
      // -0 becomes 0 here, as it does in msgpack's integer form.
      if (v >>> 0 === v && v < 0x80) {
        // (-0 >>> 0) === -0 too: it is written as 0.
        scratch[pos++] = T_SMALL | v;
      } else if ((v | 0) === v) {
        scratch[pos] = T_INT32;
        scratch.writeInt32LE(v, pos + 1);
        pos += 5;
      } else {
        scratch[pos] = T_FLOAT64;
        scratch.writeDoubleLE(v, pos + 1);
        pos += 9;
      }
      return true;
    case 'string': {
      const n = v.length;
      if (n > MAX_STRING || pos + 3 + n > scratch.length) return false;
      scratch[pos] = T_ASCII;
      scratch.writeUInt16LE(n, pos + 1);
      const at = pos + 3;
      for (let i = 0; i < n; i++) {
        const c = v.charCodeAt(i);
        if (c > 0x7f) return false;
        scratch[at + i] = c;
      }
      pos = at + n;
      return true;
    }
    case 'boolean':
      scratch[pos++] = v ? T_TRUE : T_FALSE;
      return true;
    case 'undefined':
      scratch[pos++] = T_UNDEFINED;
      return true;
    case 'function': {
      if (!functionIds || target <= 0) return false;
      const id = functionIds.encode(v as (...args: never[]) => unknown, target);
      if (id < 0) return false;
      scratch[pos] = T_FUNCTION;
      scratch.writeUInt32LE(functionIds.owner(), pos + 1);
      scratch.writeUInt32LE(id, pos + 5);
      pos += 9;
      return true;
    }
    case 'object': {
      if (v === null) {
        scratch[pos++] = T_NULL;
        return true;
      }
      if (!Array.isArray(v) || v.constructor !== Array || depth >= MAX_DEPTH) return false;
      const n = v.length;
      if (n > MAX_ARRAY) return false;
      scratch[pos] = T_ARRAY;
      scratch[pos + 1] = n;
      pos += 2;
      for (let i = 0; i < n; i++) if (!put(v[i], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

let src: Buffer = scratch;
let at = 0;
let end = 0;

/** Decodes the compact body in `source[start, stop)` (its first byte is COMPACT_BODY). */
export function decodeCompact(source: Buffer, start: number, stop: number): unknown {
  src = source;
  at = start + 1;
  end = stop;
  const value = take();
  if (at !== end) throw new Error(`compact body: ${end - at} bytes left over`);
  return value;
}

function need(n: number): void {
  if (at + n > end) throw new Error('compact body: truncated');
}

function take(): unknown {
  need(1);
  const tag = src[at++];
  switch (tag) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT32:
      need(4);
      at += 4;
      return src.readInt32LE(at - 4);
    case T_FLOAT64:
      need(8);
      at += 8;
      return src.readDoubleLE(at - 8);
    case T_ASCII: {
      need(2);
      const n = src.readUInt16LE(at);
      at += 2;
      need(n);
      at += n;
      return src.toString('latin1', at - n, at);
    }
    case T_ARRAY: {
      need(1);
      const n = src[at++] as number;
      if (n > MAX_ARRAY) throw new Error(`compact body: an array of ${n} elements`);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = take();
      return out;
    }
    case T_FUNCTION: {
      need(8);
      const owner = src.readUInt32LE(at);
      const id = src.readUInt32LE(at + 4);
      at += 8;
      if (!functionIds) throw new Error('compact body: a function, but no function table here');
      return functionIds.decode(owner, id);
    }
    default:
      if (tag !== undefined && tag >= T_SMALL) return tag - T_SMALL;
      throw new Error(`compact body: unknown tag ${tag}`);
  }
}
