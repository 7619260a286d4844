/**
 * NumPy's `.npy` file format (versions 1.0, 2.0 and 3.0): a magic string, a Python-literal header
 * dict with the dtype, the order and the shape, then the raw elements. darray writes C order and
 * little-endian; reading accepts big-endian files too and converts them, as `numpy.load` does.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { bytesOf, DTYPES, type DType, type TypedArray } from '../array/dtype.js';
import { isNDArray, NDArray } from '../array/ndarray.js';
import { collect } from '../array/ops.js';
import type { AnyArray } from '../array/protocol.js';
import { sizeOf } from '../array/shape.js';
import { allocData } from '../array/storage.js';
import { ArgumentError, describe, FileFormatError } from '../errors.js';
import { type PyValue, parsePyLiteral } from './py-literal.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_TEXT = '\\x93NUMPY';
/** NumPy pads the header so that the data starts on a multiple of this. */
const ALIGN = 64;

/**
 * The NumPy dtype string of a darray dtype, worked out from its name and size so that every dtype
 * in DTYPES has one: 'float64' → '<f8', 'int32' → '<i4', 'uint8' → '|u1'.
 *
 * @example npyDescr('float32') // '<f4'
 */
export function npyDescr(dtype: DType): string {
  const m = /^(float|int|uint)\d+$/.exec(dtype);
  if (!m) throw new Error(`npy: no NumPy dtype is known for darray dtype '${dtype}'`);
  const kind = m[1] === 'float' ? 'f' : m[1] === 'int' ? 'i' : 'u';
  const size = bytesOf(dtype);
  return `${size === 1 ? '|' : '<'}${kind}${size}`;
}

/** A parsed NumPy dtype string: the darray dtype and whether the bytes are big-endian. */
interface Descr {
  dtype: DType;
  bigEndian: boolean;
}

/** The darray dtype of a NumPy dtype string, or undefined when darray has no such dtype. */
function parseDescr(descr: string): Descr | undefined {
  const m = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  if (!m) return undefined;
  const order = m[1] as string;
  const body = m[2] as string;
  const dtype = DTYPES.find((d) => npyDescr(d).slice(1) === body);
  if (!dtype) return undefined;
  // A one-byte type has no byte order; '|', '<', '>' and '=' all mean the same bytes.
  return { dtype, bigEndian: order === '>' && bytesOf(dtype) > 1 };
}

const supportedList = (): string => DTYPES.map((d) => `'${npyDescr(d)}' (${d})`).join(', ');

/**
 * The whole `.npy` file for a host array, as bytes: header then data, little-endian, C order.
 * Format 1.0, or 2.0 when the header is too long for 1.0 (tens of thousands of dimensions).
 *
 * @example const bytes = encodeNpy(array([1, 2, 3])); // 128 + 24 bytes, what numpy.save writes
 */
export function encodeNpy(A: NDArray): Uint8Array {
  const shape = A.shape.length === 1 ? `(${A.shape[0]},)` : `(${A.shape.join(', ')})`;
  const dict = `{'descr': '${npyDescr(A.dtype)}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Version 1.0 stores the header length in 2 bytes; longer headers (many dimensions) need 2.0.
  let version = 1;
  let prefix = MAGIC.length + 2 + 2;
  let total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = MAGIC.length + 2 + 4;
    total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  }
  const header = `${dict}${' '.repeat(total - prefix - dict.length - 1)}\n`;
  const data = A.data as TypedArray;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  // darray stores little-endian on every platform Node runs on (x86, ARM), so the bytes go as they are.
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}

function bad(source: string, what: string): FileFormatError {
  return new FileFormatError(`load: ${source} is not a .npy file darray can read: ${what}`);
}

/** The header's fields, checked: dtype, shape, and where the data starts. */
function readHeader(bytes: Uint8Array, source: string): { descr: Descr; shape: number[]; offset: number } {
  const got = Array.from(bytes.subarray(0, MAGIC.length));
  if (bytes.length < MAGIC.length + 2 || MAGIC.some((b, i) => got[i] !== b)) {
    const shown = got.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw bad(source, `expected the magic string ${MAGIC_TEXT} at the start, got bytes [${shown}]`);
  }
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (major < 1 || major > 3 || minor !== 0)
    throw bad(source, `expected format version 1.0, 2.0 or 3.0, got ${major}.${minor}`);
  const lenBytes = major === 1 ? 2 : 4;
  const prefix = MAGIC.length + 2 + lenBytes;
  if (bytes.length < prefix)
    throw bad(source, `truncated: the file ends (${bytes.length} bytes) inside the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (bytes.length < prefix + hlen)
    throw bad(
      source,
      `truncated: the header says it is ${hlen} bytes but the file ends after ${bytes.length - prefix} of them`,
    );
  const raw = bytes.subarray(prefix, prefix + hlen);
  // Versions 1.0 and 2.0 write the header in latin-1, 3.0 in UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(raw);
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    throw bad(source, `the header is not a Python literal (${(e as Error).message}): ${text.trim()}`);
  }
  if (!(dict instanceof Map))
    throw bad(
      source,
      `expected the header to be a dict with 'descr', 'fortran_order' and 'shape', got ${text.trim()}`,
    );
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape')
    throw bad(source, `expected the header keys descr, fortran_order, shape, got ${keys || 'none'}`);
  const rawDescr = dict.get('descr');
  const descr = typeof rawDescr === 'string' ? parseDescr(rawDescr) : undefined;
  if (!descr)
    throw bad(
      source,
      `unsupported dtype ${pyText(rawDescr)}; darray reads ${supportedList()} (and their big-endian forms); ` +
        'convert it in NumPy first, e.g. a.astype(np.float64)',
    );
  const fortran = dict.get('fortran_order');
  if (fortran === true)
    throw bad(
      source,
      'expected C (row-major) order, got fortran_order: True; save it from NumPy as np.ascontiguousarray(a)',
    );
  if (fortran !== false) throw bad(source, `expected fortran_order to be False, got ${pyText(fortran)}`);
  const shape = dict.get('shape');
  if (
    !Array.isArray(shape) ||
    !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  )
    throw bad(source, `expected shape to be a tuple of non-negative integers, got ${pyText(shape)}`);
  return { descr, shape: shape as number[], offset: prefix + hlen };
}

function pyText(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v}'`;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (Array.isArray(v)) return `(${v.map(pyText).join(', ')})`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `'${k}': ${pyText(x)}`).join(', ')}}`;
  return String(v);
}

/** Reverses the bytes of each `width`-byte element in place (big-endian to little-endian). */
function swapBytes(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width) {
    for (let lo = i, hi = i + width - 1; lo < hi; lo++, hi--) {
      const t = b[lo] as number;
      b[lo] = b[hi] as number;
      b[hi] = t;
    }
  }
}

/**
 * Reads the bytes of a whole `.npy` file into a new host array (a copy; `bytes` may be reused).
 * `source` names the bytes in errors. Throws a FileFormatError for anything {@link load} refuses.
 *
 * @example const A = decodeNpy(encodeNpy(array([1, 2, 3]))); // NDArray<float64> [3]
 */
export function decodeNpy(bytes: Uint8Array, source = 'the data'): NDArray {
  const { descr, shape, offset } = readHeader(bytes, source);
  const size = sizeOf(shape);
  const width = bytesOf(descr.dtype);
  const want = size * width;
  const have = bytes.length - offset;
  if (have !== want)
    throw bad(
      source,
      `shape (${shape.join(', ')}) of ${npyDescr(descr.dtype)} needs ${want} data bytes, ` +
        `got ${have}${have < want ? ' (truncated)' : ' (trailing bytes)'}`,
    );
  // A fresh copy in darray's own storage: aligned, kernel-ready, and not a view of the caller's bytes.
  const data = allocData(descr.dtype, size, false);
  const dst = new Uint8Array(data.buffer, data.byteOffset, want);
  dst.set(bytes.subarray(offset, offset + want));
  if (descr.bigEndian) swapBytes(dst, width);
  return new NDArray(data, shape);
}

/**
 * Writes an array to a NumPy `.npy` file (C order, little-endian), readable by `numpy.load`.
 * GPUArrays and DArrays are collected to the host first.
 *
 * @example
 * await save('/tmp/a.npy', rand([3, 4]));
 * // python: numpy.load('/tmp/a.npy').shape == (3, 4)
 */
export async function save(path: string, A: AnyArray): Promise<void> {
  if (typeof path !== 'string' || path === '')
    throw new ArgumentError(`save: expected a file path string, got ${describe(path)}`);
  if (!A || typeof A !== 'object' || !('backend' in A))
    throw new ArgumentError(`save: expected an array (NDArray, GPUArray or DArray), got ${describe(A)}`);
  const host = isNDArray(A) ? A : await collect(A);
  await writeFile(path, encodeNpy(host));
}

/**
 * Reads a NumPy `.npy` file into an NDArray. Reads float64, float32, int32 and uint8 (the dtypes
 * darray has) in C order; big-endian files are converted. Anything else is a FileFormatError that
 * says what was found, and no array is returned.
 *
 * @example
 * // python: numpy.save('/tmp/b.npy', numpy.arange(6.0).reshape(2, 3))
 * const B = await load('/tmp/b.npy'); // NDArray<float64> [2×3]
 */
export async function load(path: string): Promise<NDArray> {
  if (typeof path !== 'string' || path === '')
    throw new ArgumentError(`load: expected a file path string, got ${describe(path)}`);
  const bytes = await readFile(path);
  return decodeNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}
