import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import FileSystemStore from '@zarrita/storage/fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as zarr from 'zarrita';
import {
  array,
  collect,
  DTYPES,
  distribute,
  drand,
  FileFormatError,
  fromZarr,
  load,
  NDArray,
  rand,
  remotecallFetch,
  save,
  toZarr,
  wireStats,
  zeros,
} from '../../src/index.js';
import { findPython, runPython, skipReason } from '../python.js';
import { chunkCounts } from './darray-leaks.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });
const dir = mkdtempSync(join(tmpdir(), 'darray-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${++n}-${name}`);

/** Bytes sent by every process in the cluster so far. */
async function bytesSent(): Promise<number[]> {
  const others = await Promise.all(
    [cluster.p2, cluster.p3].map((p) => remotecallFetch(() => wireStats().bytesSent, p)),
  );
  return [wireStats().bytesSent, ...others];
}

describe('save/load with distributed arrays', () => {
  it('save collects a DArray and writes one .npy that load reads back', async () => {
    const dA = await drand([9, 4], { seed: 2 });
    const p = fresh('d.npy');
    await save(p, dA);
    expect([...(await load(p)).data]).toEqual([...(await collect(dA)).data]);
    dA.close();
  });
});

describe('toZarr / fromZarr', () => {
  it('writes one Zarr chunk per DArray chunk (v2 metadata) and reads it back in the same layout', async () => {
    const A = rand([8, 3], { seed: 1 });
    const dA = await distribute(A);
    const p = fresh('a.zarr');
    await toZarr(dA, p);
    const meta = JSON.parse(readFileSync(join(p, '.zarray'), 'utf8'));
    expect(meta).toMatchObject({ zarr_format: 2, shape: [8, 3], chunks: [4, 3], dtype: '<f8', order: 'C' });
    expect(existsSync(join(p, '0.0')) && existsSync(join(p, '1.0'))).toBe(true);
    const dB = await fromZarr(p);
    expect(dB.pids).toEqual(dA.pids);
    expect(dB.cuts).toEqual(dA.cuts);
    expect([...(await collect(dB)).data]).toEqual([...A.data]);
    dA.close();
    dB.close();
  });

  it('moves no chunk data through the master: each worker writes and reads its own chunk', async () => {
    const dA = await drand([256, 256], { seed: 7 }); // 512 KiB
    const p = fresh('big.zarr');
    const before = await bytesSent();
    await toZarr(dA, p);
    const dB = await fromZarr(p);
    const after = await bytesSent();
    const sent = after.map((b, i) => b - (before[i] as number));
    // Commands, replies and the remote calls measuring this: a few KiB, against 512 KiB of data.
    for (const s of sent) expect(s).toBeLessThan(16 * 1024);
    const [a, b] = await Promise.all([collect(dA), collect(dB)]);
    expect([...b.data]).toEqual([...a.data]);
    dA.close();
    dB.close();
  });

  it('irregular cuts (10 rows as 4 + 3 + 3) give a regular grid of 4-row chunks that reads back exactly', async () => {
    const A = rand([10, 5], { seed: 3 });
    // Three owners (this process too): DArray cuts put the larger chunks first, so two owners
    // would already match Zarr's grid.
    const dA = await distribute(A, { procs: [1, cluster.p2, cluster.p3] });
    expect(dA.cuts[0]).toEqual([0, 4, 7, 10]);
    const p = fresh('odd.zarr');
    await toZarr(dA, p);
    expect(JSON.parse(readFileSync(join(p, '.zarray'), 'utf8')).chunks).toEqual([4, 5]);
    const dB = await fromZarr(p);
    // Three Zarr chunks over the two workers, whole chunks each, the larger share first.
    expect(dB.cuts[0]).toEqual([0, 8, 10]);
    expect([...(await collect(dB)).data]).toEqual([...A.data]);
    dA.close();
    dB.close();
  });

  it('keeps a 0-d array and arrays with an empty dimension', async () => {
    for (const A of [new NDArray(new Float64Array([5]), []), zeros([0, 3]), rand([3, 0])]) {
      const dA = await distribute(A);
      const p = fresh(`edge-${A.shape.join('x')}.zarr`);
      await toZarr(dA, p);
      const dB = await fromZarr(p);
      const B = await collect(dB);
      expect(B.shape).toEqual(A.shape);
      expect([...B.data]).toEqual([...A.data]);
      dA.close();
      dB.close();
    }
  });

  it.each(DTYPES)('keeps dtype %s, in format 2 and 3', async (dtype) => {
    const values = Array.from({ length: 24 }, (_, i) => (i * 37) % 251);
    const host = array(values, { dtype, shape: [6, 4] });
    const dH = await distribute(host, { dist: [1, 2] });
    for (const format of [2, 3] as const) {
      const p = fresh(`${dtype}-v${format}.zarr`);
      await toZarr(dH, p, { zarrFormat: format });
      expect(existsSync(join(p, format === 2 ? '.zarray' : 'zarr.json'))).toBe(true);
      const dB = await fromZarr(p);
      expect(dB.dtype).toBe(dtype);
      expect(dB.cuts).toEqual(dH.cuts);
      expect([...(await collect(dB)).data]).toEqual([...host.data]);
      dB.close();
    }
    dH.close();
  });
});

describe('toZarr / fromZarr: layouts and existing stores', () => {
  it('groups whole Zarr chunks per worker when there are more chunks than workers', async () => {
    const p = fresh('many.zarr');
    const values = Float32Array.from({ length: 7 * 3 }, (_, i) => i / 4);
    const arr = await zarr.create(new FileSystemStore(p), {
      shape: [7, 3],
      chunkShape: [2, 3],
      dtype: 'float32',
    });
    await zarr.set(arr, null, { data: values, shape: [7, 3], stride: [3, 1] });
    const dB = await fromZarr(p);
    expect(dB.dtype).toBe('float32');
    expect(dB.pids).toEqual([cluster.p2, cluster.p3]);
    // Four 2-row chunks (the last one 1 row) over two workers: rows [0, 4) and [4, 7).
    expect(dB.cuts).toEqual([
      [0, 4, 7],
      [0, 3],
    ]);
    expect([...(await collect(dB)).data]).toEqual([...values]);
    dB.close();
  });

  it('uses only the procs it is given', async () => {
    const dA = await distribute(rand([4, 4], { seed: 9 }));
    const p = fresh('one.zarr');
    await toZarr(dA, p);
    const dB = await fromZarr(p, { procs: [cluster.p3] });
    expect(dB.pids).toEqual([cluster.p3]);
    expect([...(await collect(dB)).data]).toEqual([...(await collect(dA)).data]);
    dA.close();
    dB.close();
  });

  it('refuses to overwrite a Zarr array unless asked, and replaces old chunks of another grid', async () => {
    const p = fresh('over.zarr');
    const dA = await distribute(rand([8, 2], { seed: 1 }));
    await toZarr(dA, p);
    const dC = await distribute(rand([3, 2], { seed: 2 }), { procs: [cluster.p2] });
    await expect(toZarr(dC, p)).rejects.toThrow(/already holds a Zarr array; pass \{ overwrite: true \}/);
    await toZarr(dC, p, { overwrite: true });
    expect(existsSync(join(p, '1.0'))).toBe(false);
    const dB = await fromZarr(p);
    expect([...(await collect(dB)).data]).toEqual([...(await collect(dC)).data]);
    const other = fresh('not-zarr');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    await expect(toZarr(dC, other, { overwrite: true })).rejects.toThrow(
      /exists and is not an empty directory or a Zarr array/,
    );
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
    for (const d of [dA, dB, dC]) d.close();
  });

  it('checks its arguments', async () => {
    await expect(toZarr([1, 2] as never, fresh('x'))).rejects.toThrow(
      /toZarr: expected a DArray, got an Array/,
    );
    const dA = await distribute(rand([2, 2]));
    await expect(toZarr(dA, '')).rejects.toThrow(/toZarr: expected a directory path string/);
    const file = fresh('file');
    writeFileSync(file, 'x');
    await expect(toZarr(dA, file)).rejects.toThrow(/is a file; a Zarr array is a directory/);
    await expect(toZarr(dA, fresh('v'), { zarrFormat: 4 as never })).rejects.toThrow(
      /zarrFormat must be 2 or 3, got number 4/,
    );
    dA.close();
    await expect(toZarr(dA, fresh('closed'))).rejects.toThrow(/was closed/);
    await expect(fromZarr(fresh('y'), { procs: [] })).rejects.toThrow(/procs must be a non-empty array/);
  });
});

describe('fromZarr: bad stores give a clear error and leave no chunk behind', () => {
  const noChunks = async () => expect((await chunkCounts()).every((c) => c === 0)).toBe(true);

  it('a path with no Zarr array', async () => {
    const err = await fromZarr(fresh('missing.zarr')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(
      /expected a Zarr array \(format 2 or 3\) at .*missing\.zarr, but opening it failed/,
    );
    await noChunks();
  });

  it('metadata that is not JSON', async () => {
    const p = fresh('badmeta.zarr');
    mkdirSync(p);
    writeFileSync(join(p, '.zarray'), '{"zarr_format": 2, "shape": [');
    await expect(fromZarr(p)).rejects.toThrow(FileFormatError);
    await noChunks();
  });

  it('a dtype darray does not have', async () => {
    const p = fresh('i16.zarr');
    await zarr.create(new FileSystemStore(p), { shape: [4], chunkShape: [2], dtype: 'int16' });
    await expect(fromZarr(p)).rejects.toThrow(
      /holds int16 elements; darray reads float64, float32, int32, uint8/,
    );
    await noChunks();
  });

  it("a truncated chunk on one worker: the other worker's chunk is freed too", async () => {
    const dA = await distribute(rand([8, 4], { seed: 4 }));
    const p = fresh('trunc.zarr');
    await toZarr(dA, p);
    dA.close();
    truncateSync(join(p, '1.0'), 10);
    const err = await fromZarr(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/reading the chunks of .*trunc\.zarr failed: on worker \d+/);
    await noChunks();
  });
});

const zarrPy = findPython(['zarr', 'dask.array', 'numpy']);

describe(`Zarr stores against Python's zarr and dask${skipReason(zarrPy, ['zarr', 'dask', 'numpy'])}`, () => {
  it.skipIf(!zarrPy)(
    'zarr.open and dask.array.from_zarr read what toZarr writes, with its chunks',
    async () => {
      const A = rand([7, 5], { seed: 8 });
      const dA = await distribute(A);
      const p = fresh('to-py.zarr');
      await toZarr(dA, p);
      const out = runPython(
        zarrPy as string,
        `import sys, json, zarr, dask.array as da
z = zarr.open(sys.argv[1], mode='r')
d = da.from_zarr(sys.argv[1])
print(json.dumps([str(z.dtype), list(z.shape), list(z.chunks), z[:].ravel().tolist(), [list(c) for c in d.chunks], float(d.sum().compute())]))`,
        [p],
      );
      const [dtype, shape, chunks, values, daskChunks, total] = JSON.parse(out);
      expect([dtype, shape, chunks]).toEqual(['float64', [7, 5], [4, 5]]);
      expect(values).toEqual([...A.data]);
      expect(daskChunks).toEqual([[4, 3], [5]]);
      expect(total).toBeCloseTo(
        [...A.data].reduce((a, b) => a + b, 0),
        10,
      );
      dA.close();
    },
  );

  it.skipIf(!zarrPy)(
    "fromZarr reads what Python's zarr writes, compressed with its default codec",
    async () => {
      const p = fresh('from-py.zarr');
      const out = runPython(
        zarrPy as string,
        `import sys, json, numpy as np, zarr
a = (np.arange(60, dtype='<i4').reshape(6, 10) * 3 - 50)
z = zarr.open(sys.argv[1], mode='w', shape=a.shape, chunks=(2, 5), dtype=a.dtype)
z[:] = a
print(json.dumps([str(z.compressor), a.ravel().tolist()]))`,
        [p],
      );
      const [compressor, values] = JSON.parse(out);
      expect(compressor).not.toBe('None');
      const dB = await fromZarr(p);
      expect(dB.dtype).toBe('int32');
      // Three Zarr chunks of 2 rows over two workers: whole chunks, the larger share first.
      expect(dB.cuts).toEqual([
        [0, 4, 6],
        [0, 10],
      ]);
      expect([...(await collect(dB)).data]).toEqual(values);
      dB.close();
    },
  );
});
