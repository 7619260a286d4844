// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import {
  type AnyArray,
  array,
  backendOf,
  collect,
  fill,
  getKernel,
  NDArray,
  norm,
  ones,
  rand,
  randn,
  registerKernel,
  sum,
  unregisterKernel,
  zeros,
} from '../../src/array/index.js';
import { ArgumentError, MissingKernelError } from '../../src/errors.js';

describe('NDArray and constructors', () => {
  it('builds from nested arrays, flat data with a shape, and TypedArrays', () => {
    const a = array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 3]);
    expect(a.get(1, 2)).toBe(6);
    const b = array([1, 2, 3, 4], { shape: [2, 2], dtype: 'int32' });
    expect(b.data).toBeInstanceOf(Int32Array);
    expect(b.get(1, 0)).toBe(3);
    const c = array(new Float32Array([1.5, 2.5]));
    expect(c.dtype).toBe('float32');
    expect(array([300, -1], { dtype: 'uint8' }).data).toEqual(new Uint8Array([44, 255]));
  });

  it('rejects ragged data and bad shapes with a clear message', () => {
    expect(() => array([[1, 2], [3]])).toThrow(/ragged nesting at \[1\]: expected 2 elements/);
    expect(() => array([1, 2, 3], { shape: [2, 2] })).toThrow(ArgumentError);
    expect(() => zeros([2, -1])).toThrow(/non-negative integers/);
    expect(() => zeros([2], 'float16' as 'float32')).toThrow(/float64, float32, int32, uint8/);
  });

  it('zeros, ones, fill and seeded rand/randn', () => {
    expect(Array.from(zeros(3).data)).toEqual([0, 0, 0]);
    expect(Array.from(ones([2], 'float32').data)).toEqual([1, 1]);
    expect(Array.from(fill([2, 2], 7).data)).toEqual([7, 7, 7, 7]);
    expect(rand([50], { seed: 42 }).data).toEqual(rand([50], { seed: 42 }).data);
    expect(rand([50], { seed: 42 }).data).not.toEqual(rand([50], { seed: 43 }).data);
    const u = rand([10_000], { seed: 1 }).data;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const g = randn([20_000], { seed: 2 }).data;
    const mean = g.reduce((s, v) => s + v, 0) / g.length;
    const variance = g.reduce((s, v) => s + (v - mean) ** 2, 0) / g.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('rows() is a view that shares storage', () => {
    const a = array([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const v = a.rows(1, 3);
    expect(v.shape).toEqual([2, 2]);
    expect(v.data.buffer).toBe(a.data.buffer);
    v.set(40, 0, 1);
    expect(a.get(1, 1)).toBe(40);
    expect(() => a.rows(2, 4)).toThrow(/start <= end <= 3/);
  });

  it('wraps data without copying and checks the shape', () => {
    const d = new Float64Array(6);
    const a = NDArray.fromData(d, [2, 3]);
    expect(a.data).toBe(d);
    expect(() => new NDArray(d, [4, 2])).toThrow(/has 8 elements but the data has 6/);
    expect(() => a.get(2, 0)).toThrow(/out of range/);
  });

  it('large arrays live in shared WASM memory and round-trip', async () => {
    const a = rand([1 << 18], { seed: 3 });
    expect(a.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(await sum(a)).toBeCloseTo(
      a.data.reduce((s, v) => s + v, 0),
      6,
    );
    expect(zeros([10]).data.buffer).toBeInstanceOf(ArrayBuffer);
  });
});

describe('registry and dispatch', () => {
  class FakeArray implements AnyArray {
    readonly backend = 'fake';
    readonly dtype = 'float64';
    constructor(readonly shape: readonly number[]) {}
  }

  it('a missing kernel names the op and the backend', async () => {
    await expect(norm(new FakeArray([3]))).rejects.toThrow(MissingKernelError);
    await expect(sum(new FakeArray([3]))).rejects.toThrow(/op 'mapreduce' on backend 'fake'/);
  });

  it('dispatches to a registered kernel and lets NDArrays join another backend', async () => {
    registerKernel('norm', 'fake', (_x, p) => 100 + p);
    registerKernel('collect', 'fake', (x) => zeros([...x.shape]));
    try {
      expect(await norm(new FakeArray([3]), 1)).toBe(101);
      expect((await collect(new FakeArray([2, 2]))).shape).toEqual([2, 2]);
      expect(backendOf('op', [ones(2), new FakeArray([2]), 3])).toBe('fake');
      expect(getKernel('norm', 'cpu')).toBeTypeOf('function');
    } finally {
      unregisterKernel('norm', 'fake');
      unregisterKernel('collect', 'fake');
    }
  });

  it('refuses to mix two non-cpu backends', () => {
    const other = { backend: 'webgpu', dtype: 'float64', shape: [2] } as const;
    expect(() => backendOf('dot', [new FakeArray([2]), other])).toThrow(/'fake' and 'webgpu'/);
  });
});

describe('broadcastInto', () => {
  it('writes in place, also into one of its inputs', async () => {
    const { broadcastInto } = await import('../../src/array/index.js');
    const a = array([1, 2, 3]);
    const b = array([10, 20, 30]);
    const r = await broadcastInto(a, (x: number, y: number) => x + 3 * y, a, b);
    expect(r).toBe(a);
    expect(Array.from(a.data)).toEqual([31, 62, 93]);
    await expect(broadcastInto(zeros([2]), (x: number) => x, a)).rejects.toThrow(/do not broadcast/);
    await expect(broadcastInto(zeros([3, 3]), (x: number) => x, zeros([3]))).resolves.toBeDefined();
    await expect(broadcastInto(zeros([3]), (x: number) => x, zeros([2, 3]))).rejects.toThrow(
      /out has shape \[3\]/,
    );
  });
});
