import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  array,
  DTYPES,
  decodeNpy,
  encodeNpy,
  FileFormatError,
  load,
  NDArray,
  rand,
  save,
  zeros,
} from '../../src/index.js';
import { findPython, runPython, skipReason } from '../python.js';

const fixtures = join(import.meta.dirname, '../fixtures/npy');
const fixture = (name: string) => join(fixtures, name);
const dir = mkdtempSync(join(tmpdir(), 'darray-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npy: files written by NumPy (checked-in fixtures, see test/fixtures/npy/make.py)', () => {
  it('reads float64, float32, int32 and uint8 with their shapes and values', async () => {
    const f8 = await load(fixture('f8-2x3.npy'));
    expect(f8.dtype).toBe('float64');
    expect(f8.shape).toEqual([2, 3]);
    expect([...f8.data]).toEqual([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]);
    const f4 = await load(fixture('f4-4.npy'));
    expect(f4.dtype).toBe('float32');
    expect([...f4.data]).toEqual([1.5, -2.25, Math.fround(3e30), 0]);
    const i4 = await load(fixture('i4-2x2.npy'));
    expect(i4.dtype).toBe('int32');
    expect(i4.toArray()).toEqual([
      [-7, 2 ** 31 - 1],
      [-(2 ** 31), 0],
    ]);
    const u1 = await load(fixture('u1-3.npy'));
    expect(u1.dtype).toBe('uint8');
    expect([...u1.data]).toEqual([0, 128, 255]);
  });

  it('reads 0-d and empty arrays, and format versions 2.0 and 3.0', async () => {
    const s = await load(fixture('f8-scalar.npy'));
    expect(s.shape).toEqual([]);
    expect(s.data[0]).toBe(42);
    const e = await load(fixture('f8-empty-0x3.npy'));
    expect(e.shape).toEqual([0, 3]);
    expect(e.size).toBe(0);
    expect((await load(fixture('f8-v2.npy'))).toArray()).toEqual([[1], [2]]);
    expect((await load(fixture('f8-v3.npy'))).toArray()).toEqual([3, 4]);
  });

  it("converts big-endian files ('>f8') to darray's little-endian on load", async () => {
    const b = await load(fixture('f8-big-endian.npy'));
    expect(b.dtype).toBe('float64');
    expect([...b.data]).toEqual([1, -2, 0.5]);
  });
});

describe('npy: save and load round trip', () => {
  it.each(DTYPES)('%s keeps dtype, shape and every value', async (dtype) => {
    const A = array(
      [
        [1, 2, 3],
        [4, 5, 250],
      ],
      { dtype },
    );
    const p = join(dir, `rt-${dtype}.npy`);
    await save(p, A);
    const B = await load(p);
    expect(B.dtype).toBe(dtype);
    expect(B.shape).toEqual([2, 3]);
    expect([...B.data]).toEqual([...A.data]);
  });

  it('keeps 0-d, empty and 3-d shapes, and a view saves only its own elements', async () => {
    for (const A of [new NDArray(new Float64Array([7]), []), zeros([0, 4]), rand([2, 3, 4], { seed: 3 })]) {
      const p = join(dir, 'shape.npy');
      await save(p, A);
      const B = await load(p);
      expect(B.shape).toEqual(A.shape);
      expect([...B.data]).toEqual([...A.data]);
    }
    const big = rand([6, 2], { seed: 4 });
    const p = join(dir, 'view.npy');
    await save(p, big.rows(2, 4));
    expect([...(await load(p)).data]).toEqual([...big.data.subarray(4, 8)]);
  });

  it("writes NumPy's header: magic, version 1.0, a 64-byte aligned dict ending in a newline", () => {
    const bytes = encodeNpy(array([1, 2, 3], { dtype: 'int32' }));
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const hlen = bytes[8]! | (bytes[9]! << 8);
    expect((10 + hlen) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + hlen));
    expect(header).toMatch(/^\{'descr': '<i4', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
    expect(bytes.length).toBe(10 + hlen + 12);
  });

  it('switches to format 2.0 when the header does not fit version 1.0 (65535 bytes)', () => {
    const A = new NDArray(new Uint8Array(1), new Array(30_000).fill(1));
    const bytes = encodeNpy(A);
    expect(bytes[6]).toBe(2);
    expect(bytes.length % 64).toBe(1);
    const B = decodeNpy(bytes);
    expect(B.shape.length).toBe(30_000);
  });

  it('rejects a path that is not a string, and a value that is not an array', async () => {
    await expect(save('', zeros([1]))).rejects.toThrow(/save: expected a file path string/);
    await expect(save(join(dir, 'x.npy'), [1, 2] as never)).rejects.toThrow(/save: expected an array/);
    await expect(load(42 as never)).rejects.toThrow(/load: expected a file path string, got number 42/);
  });
});

describe('npy: files darray refuses, with what was expected and what was found', () => {
  const good = () => new Uint8Array(readFileSync(fixture('f8-2x3.npy')));
  /** A file with `dict` as its header (padded as NumPy does) and `dataBytes` zero bytes of data. */
  const withHeader = (dict: string, dataBytes: number) => {
    const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
    const header = `${dict}${' '.repeat(total - 10 - dict.length - 1)}\n`;
    const out = new Uint8Array(total + dataBytes);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
    return out;
  };
  const refuses = async (bytes: Uint8Array, message: RegExp) => {
    const p = join(dir, 'bad.npy');
    writeFileSync(p, bytes);
    const err = await load(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/^load: .*bad\.npy is not a \.npy file darray can read: /);
    expect((err as Error).message).toMatch(message);
  };

  it('wrong magic', async () => {
    await refuses(
      new TextEncoder().encode('hello,world\n1,2\n'),
      /expected the magic string \\x93NUMPY.*got bytes \[68 65 6c 6c 6f 2c\]/,
    );
  });

  it('unknown format version', async () => {
    const b = good();
    b[6] = 9;
    await refuses(b, /expected format version 1\.0, 2\.0 or 3\.0, got 9\.0/);
  });

  it('truncated inside the header, and inside the data', async () => {
    await refuses(
      good().subarray(0, 40),
      /truncated: the header says it is 118 bytes but the file ends after 30/,
    );
    await refuses(good().subarray(0, 8), /truncated: the file ends \(8 bytes\) inside the header length/);
    await refuses(good().subarray(0, 170), /shape \(2, 3\) of <f8 needs 48 data bytes, got 42 \(truncated\)/);
  });

  it('extra bytes after the data (shape and size disagree)', async () => {
    await refuses(
      withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 32),
      /needs 24 data bytes, got 32 \(trailing bytes\)/,
    );
  });

  it("unsupported dtypes: complex '<c16', object '|O', int64 '<i8'", async () => {
    const list = /darray reads '<f8' \(float64\), '<f4' \(float32\), '<i4' \(int32\), '\|u1' \(uint8\)/;
    await refuses(new Uint8Array(readFileSync(fixture('c16.npy'))), /unsupported dtype '<c16'/);
    await refuses(new Uint8Array(readFileSync(fixture('object.npy'))), /unsupported dtype '\|O'/);
    await refuses(new Uint8Array(readFileSync(fixture('i8.npy'))), list);
    await refuses(
      withHeader("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", 8),
      /unsupported dtype \(\('a', '<f8'\)\)/,
    );
  });

  it('Fortran order', async () => {
    await refuses(
      new Uint8Array(readFileSync(fixture('fortran.npy'))),
      /expected C \(row-major\) order, got fortran_order: True.*np\.ascontiguousarray/,
    );
  });

  it('a header that is not a dict, not a literal, or lacks a key', async () => {
    await refuses(withHeader("['descr', '<f8']", 0), /expected the header to be a dict/);
    await refuses(
      withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2,", 0),
      /the header is not a Python literal \(expected a value at character/,
    );
    await refuses(
      withHeader("{'descr': '<f8', 'shape': (2,), }", 16),
      /expected the header keys descr, fortran_order, shape, got descr, shape/,
    );
    await refuses(
      withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2), }", 16),
      /expected shape to be a tuple of non-negative integers, got 2/,
    );
    await refuses(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", 0), /got \(-1\)/);
    await refuses(
      withHeader("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", 8),
      /expected fortran_order to be False, got 0/,
    );
  });
});

const numpyPy = findPython(['numpy']);

describe(`npy: against real NumPy${skipReason(numpyPy, ['numpy'])}`, () => {
  it.skipIf(!numpyPy)('numpy.load reads what save writes, for every dtype', async () => {
    const paths: string[] = [];
    const want: unknown[] = [];
    for (const dtype of DTYPES) {
      const A = array(
        [
          [0, 1.5, 200],
          [3, 4, 5],
        ],
        { dtype },
      );
      const p = join(dir, `to-numpy-${dtype}.npy`);
      await save(p, A);
      paths.push(p);
      want.push([dtype, [2, 3], [...A.data], true]);
    }
    const out = runPython(
      numpyPy as string,
      `import sys, json, numpy as np
arrays = [np.load(p) for p in sys.argv[1:]]
print(json.dumps([[str(a.dtype), list(a.shape), a.ravel().tolist(), a.flags.c_contiguous] for a in arrays]))`,
      paths,
    );
    expect(JSON.parse(out)).toEqual(want);
  });

  it.skipIf(!numpyPy)('load reads what numpy.save writes, for every dtype and in big-endian', async () => {
    const py = numpyPy as string;
    const base = join(dir, 'from-numpy');
    runPython(
      py,
      `import sys, numpy as np
rng = np.random.default_rng(5)
x = rng.uniform(-2.5, 5, (3, 5, 2))
for d in ['<f8', '<f4', '<i4', '|u1', '>f8', '>i4', '>f4']:
    y = np.abs(x) if d == '|u1' else x
    np.save(sys.argv[1] + d.replace('<', 'le').replace('>', 'be').replace('|', '') + '.npy', (y * 50).astype(d))
np.save(sys.argv[1] + 'raw.npy', x)`,
      [base],
    );
    const x = await load(`${base}raw.npy`);
    for (const [name, dtype] of [
      ['lef8', 'float64'],
      ['lef4', 'float32'],
      ['lei4', 'int32'],
      ['u1', 'uint8'],
      ['bef8', 'float64'],
      ['bei4', 'int32'],
      ['bef4', 'float32'],
    ] as const) {
      const A = await load(`${base}${name}.npy`);
      expect(A.dtype).toBe(dtype);
      expect(A.shape).toEqual([3, 5, 2]);
      // NumPy's astype truncates toward zero; uint8 got |x| (casting negatives to it is undefined).
      const want = [...x.data].map((v) => {
        const s = (dtype === 'uint8' ? Math.abs(v) : v) * 50;
        if (dtype === 'float32') return Math.fround(s);
        if (dtype === 'int32' || dtype === 'uint8') return Math.trunc(s);
        return s;
      });
      expect([...A.data]).toEqual(want);
    }
  });
});
