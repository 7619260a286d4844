// The WASM SIMD matvec and the worker pool against the plain JS kernels (needs npm run build,
// or at least node scripts/build-kernels.mjs, to have produced kernels/wasm/build/kernels.wasm).
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { matvecBlock } from '../../kernels/cpu/matvec-block.js';
import { matvecRows } from '../../kernels/cpu/mul.js';
import { allocate, heapStats, isResident, release } from '../../kernels/wasm/heap.js';
import { useAccelerators } from '../../kernels/wasm/index.js';
import { wasmStatus } from '../../kernels/wasm/module.js';
import {
  claimRows,
  readyPool,
  resetRows,
  shareBound,
  startThreads,
  threadCount,
} from '../../kernels/wasm/pool.js';
import { array, broadcast, type DType, mul, rand, zeros } from '../../src/array/index.js';

describe('WASM kernels and worker pool', () => {
  it('loads the built kernels', () => {
    expect(wasmStatus()).toEqual({ loaded: true, reason: '' });
  });

  const cases: [number, number, DType][] = [
    [803, 805, 'float64'],
    [1203, 1021, 'float32'],
    [401, 703, 'float64'],
  ];
  for (const [m, n, dt] of cases)
    it(`matvec ${m}×${n} ${dt} matches the JS loop (single and threaded)`, async () => {
      const A = rand([m, n], { dtype: dt, seed: m });
      expect(isResident(A.data)).toBe(true);
      const x = array(
        Array.from({ length: n }, (_, i) => Math.cos(i)),
        { dtype: dt },
      );
      const want = new (dt === 'float64' ? Float64Array : Float32Array)(m);
      matvecRows(A.data, x.data, want, n, 0, m);
      const tol = dt === 'float64' ? 1e-12 : 1e-4;
      for (const threaded of [false, true]) {
        if (threaded) expect(await startThreads()).toBe(threadCount() > 1);
        const got = await mul(A, x);
        for (let i = 0; i < m; i++) expect(Math.abs(got.data[i]! - want[i]!)).toBeLessThan(tol * n);
      }
    });

  for (const [m, n, dt, cut] of [
    [37, 29, 'float32', 11],
    // Large enough that every block of these runs on the worker pool in the threaded mode.
    [2050, 1030, 'float64', 429],
    [2051, 2047, 'float32', 1001],
  ] as const)
    it(`a ${m}×${n} ${dt} product built from blocks matches the whole one (WASM, threaded, JS)`, async () => {
      const A = rand([m, n], { dtype: dt, seed: n });
      const x = rand([n], { dtype: dt, seed: m });
      const want = new (dt === 'float64' ? Float64Array : Float32Array)(m);
      matvecRows(A.data, x.data, want, n, 0, m);
      const tol = (dt === 'float64' ? 1e-12 : 1e-4) * n;
      // The second block first, as an owner does when its own part of the vector is the second.
      const right = array(Array.from(x.data.subarray(cut)), { dtype: dt });
      const left = array(Array.from(x.data.subarray(0, cut)), { dtype: dt });
      for (const mode of ['wasm', 'threaded', 'js'] as const) {
        if (mode === 'threaded') await startThreads();
        useAccelerators(mode !== 'js');
        const y = zeros([m], dt);
        y.data.fill(Number.NaN);
        // The first rows in two column blocks (the second first), the rest in one pass.
        const head = Math.floor((2 * m) / 3);
        matvecBlock(A, right, y, { start: cut, accumulate: false, rows: [0, head] });
        matvecBlock(A, left, y, { start: 0, accumulate: true, rows: [0, head] });
        matvecBlock(A, x, y, { start: 0, accumulate: false, rows: [head, m] });
        for (let i = 0; i < m; i++) expect(Math.abs(y.data[i]! - want[i]!)).toBeLessThan(tol);
      }
      useAccelerators(true);
      expect(() => matvecBlock(A, x, zeros([m], dt), { start: 1, accumulate: false })).toThrow(
        /columns \[1, \d+\) of a \[\d+,\d+\] matrix/,
      );
    });

  it('row shares start on multiples of 4 and a thread left alone takes every share', async () => {
    for (const [m, parts] of [
      [803, 2],
      [4096, 3],
      [5, 4],
    ] as const) {
      expect(shareBound(m, 0, parts)).toBe(0);
      expect(shareBound(m, parts, parts)).toBe(m);
      for (let i = 1; i < parts; i++) expect(shareBound(m, i, parts) % 4).toBe(0);
    }
    if (!(await startThreads())) return;
    const pool = readyPool();
    expect(pool).not.toBeNull();
    if (!pool) return;
    // Without signalling the workers, the calling thread's claim loop must still cover each row
    // once: its own share, then the shares of threads that never started (the stealing path).
    const m = 1003;
    const seen = new Uint8Array(m);
    resetRows(pool, m);
    claimRows(pool, 1 % (pool.workers.length + 1), m, 8, (s, e) => {
      for (let r = s; r < e; r++) seen[r]! += 1;
    });
    expect(seen.every((c) => c === 1)).toBe(true);
  });

  it('threaded flat broadcast equals the single-thread loop', async () => {
    await startThreads();
    const n = (1 << 19) + 7;
    const a = rand([n], { seed: 1 });
    const b = rand([n], { seed: 2, dtype: 'float32' });
    const got = await broadcast((x: number, y: number, s: number) => x + s * y, a, b, 3);
    for (let i = 0; i < n; i += 997) expect(got.data[i]).toBe(a.data[i]! + 3 * b.data[i]!);
    expect(got.data[n - 1]).toBe(a.data[n - 1]! + 3 * b.data[n - 1]!);
  });

  it('a scalar of -0 reaches the worker threads as -0', async () => {
    await startThreads();
    // Large enough to be split over the threads, whose arguments travel as text.
    const a = rand([(1 << 19) + 7], { seed: 3 });
    const got = await broadcast((x: number, s: number) => x + 1 / s, a, -0);
    for (let i = 0; i < a.size; i += 4093) expect(got.data[i]).toBe(Number.NEGATIVE_INFINITY);
    expect(got.data[a.size - 1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('the heap allocator reuses and merges freed blocks', () => {
    const size = 3 << 20;
    const x = allocate(size);
    release(x, size);
    expect(allocate(size)).toBeLessThanOrEqual(x);
    const a = allocate(size);
    const b = allocate(size);
    if (b === a + size) {
      release(a, size);
      release(b, size);
      expect(allocate(2 * size)).toBeLessThanOrEqual(a);
    }
    expect(heapStats().top % 64).toBe(0);
  });
});

describe('kernelStatus', () => {
  it('reports the loaded kernels and the thread count', async () => {
    const { kernelStatus, startKernelThreads } = await import('../../src/index.js');
    expect(kernelStatus()).toMatchObject({ wasm: true, reason: '', threads: threadCount() });
    expect(typeof kernelStatus().hugePages).toBe('boolean');
    expect(await startKernelThreads()).toBe(threadCount() > 1);
  });
});

describe('NDArray.dispose', () => {
  it('returns heap storage at once, but never under a view', async () => {
    const { rand: r } = await import('../../src/index.js');
    const a = r([1 << 18], { seed: 5 });
    const offset = a.data.byteOffset;
    a.dispose();
    const b = r([1 << 18], { seed: 6 });
    expect(b.data.byteOffset).toBeLessThanOrEqual(offset);
    const c = r([1 << 18], { seed: 7 });
    const view = c.rows(0, 10);
    c.dispose();
    const d = r([1 << 18], { seed: 8 });
    expect(d.data.byteOffset).not.toBe(c.data.byteOffset);
    expect(view.data[0]).toBe(c.data[0]);
  });
});
