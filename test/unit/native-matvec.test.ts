// The AVX2 + FMA matvec of native/matvec.c against the plain JS loop, through the same heap byte
// offsets the WASM kernel takes, on the calling thread and on the kernel pool's threads.
import { execFileSync } from 'node:child_process';
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { matvecRows } from '../../kernels/cpu/mul.js';
import { allocate, heapBuffer, release } from '../../kernels/wasm/heap.js';
import { nativeMatvec, nativeMatvecReason } from '../../kernels/wasm/native-matvec.js';
import { startThreads, threadCount } from '../../kernels/wasm/pool.js';
import { type DType, mul, rand } from '../../src/array/index.js';
import { kernelStatus } from '../../src/index.js';

const native = nativeMatvec();
// CI runs on linux-x64 machines with AVX2 (every x86-64 server since 2013); elsewhere the WASM
// kernel takes its place and this file has nothing to check.
const skip = native ? '' : `the native matvec is not available here: ${nativeMatvecReason()}`;

type Float = Float64Array | Float32Array;
const ctor = (dt: DType) => (dt === 'float64' ? Float64Array : Float32Array);

/** A heap-resident array of `len` elements filled by `f`, with its byte offset. */
function heapArray(dt: DType, len: number, f: (i: number) => number, blocks: number[]): [Float, number] {
  const bpe = dt === 'float64' ? 8 : 4;
  const off = allocate(len * bpe);
  blocks.push(off, len * bpe);
  const a =
    dt === 'float64' ? new Float64Array(heapBuffer(), off, len) : new Float32Array(heapBuffer(), off, len);
  for (let i = 0; i < len; i++) a[i] = f(i);
  return [a, off];
}

describe.skipIf(skip !== '')(`native AVX2 matvec${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('kernelStatus names the native kernel', () => {
    expect(kernelStatus()).toMatchObject({ matvec: 'native-avx2', matvecReason: '' });
  });

  // Sizes around every loop boundary: the 16/8-element steps, the 4-row blocks, lda > n.
  for (const dt of ['float64', 'float32'] as const)
    for (const [m, n, lda] of [
      [1, 1, 1],
      [3, 7, 9],
      [5, 8, 8],
      [9, 17, 20],
      [13, 31, 31],
      [6, 33, 40],
      [11, 100, 101],
    ] as const)
      it(`${dt} ${m}×${n} (lda ${lda}) rows [1, ${m}) with and without accumulating match the JS loop`, () => {
        const nat = native!;
        const kernel = dt === 'float64' ? nat.f64 : nat.f32;
        const blocks: number[] = [];
        try {
          const [A, ao] = heapArray(dt, m * lda, (i) => Math.sin(i + 1), blocks);
          const [x, xo] = heapArray(dt, n, (i) => Math.cos(i), blocks);
          const [y, yo] = heapArray(dt, m, () => 0.5, blocks);
          // The JS loop over the first n columns of each row.
          const want = new (ctor(dt))(m);
          const Ab = new (ctor(dt))(m * n);
          for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) Ab[r * n + j] = A[r * lda + j]!;
          matvecRows(Ab, x, want, n, 0, m);
          const tol = (dt === 'float64' ? 1e-13 : 1e-5) * n;
          kernel(ao, xo, yo, n, lda, 1, m, 0);
          expect(y[0]).toBe(0.5);
          for (let r = 1; r < m; r++) expect(Math.abs(y[r]! - want[r]!)).toBeLessThan(tol);
          kernel(ao, xo, yo, n, lda, 1, m, 1);
          for (let r = 1; r < m; r++) expect(Math.abs(y[r]! - 2 * want[r]!)).toBeLessThan(2 * tol);
        } finally {
          for (let i = 0; i < blocks.length; i += 2) release(blocks[i]!, blocks[i + 1]!);
        }
      });

  it("a row's sum does not depend on where its chunk starts (rows one, four or eight at a time)", () => {
    const nat = native!;
    const blocks: number[] = [];
    try {
      const m = 23;
      const n = 301;
      const [, ao] = heapArray('float64', m * n, (i) => Math.sin(i) * 1e3, blocks);
      const [, xo] = heapArray('float64', n, (i) => 1 / (i + 1), blocks);
      const [whole, wo] = heapArray('float64', m, () => 0, blocks);
      const [pieces, po] = heapArray('float64', m, () => 0, blocks);
      nat.f64(ao, xo, wo, n, n, 0, m, 0);
      for (const [s, e] of [
        [0, 1],
        [1, 6],
        [6, 7],
        [7, 19],
        [19, 23],
      ] as const)
        nat.f64(ao, xo, po, n, n, s, e, 0);
      expect(Array.from(pieces)).toEqual(Array.from(whole));
    } finally {
      for (let i = 0; i < blocks.length; i += 2) release(blocks[i]!, blocks[i + 1]!);
    }
  });

  it('refuses a range past the heap, a misaligned offset and lda < n with a RangeError', () => {
    const nat = native!;
    const end = heapBuffer().byteLength;
    expect(() => nat.f64(end - 64, 0, 0, 16, 16, 0, 1, 0)).toThrow(/past the end of the heap/);
    expect(() => nat.f64(0, 0, end - 8, 4, 4, 0, 4, 0)).toThrow(/past the end of the heap/);
    expect(() => nat.f64(4, 0, 0, 4, 4, 0, 1, 0)).toThrow(/unaligned offset/);
    expect(() => nat.f32(0, 0, 0, 8, 4, 0, 1, 0)).toThrow(/lda < n/);
    expect(() => nat.f64(0, 0, 0, -1, 4, 0, 1, 0)).toThrow(/non-negative/);
  });

  for (const dt of ['float64', 'float32'] as const)
    it(`${dt}: a product split over the pool's threads gives the same bits as the native kernel alone`, async () => {
      // Large enough to be split over the pool. If a pool thread ran the WASM kernel (another
      // summation order, no FMA), its rows would differ in the last bits.
      const m = 1024;
      const n = 2051;
      const A = rand([m, n], { dtype: dt, seed: 5 });
      const x = rand([n], { dtype: dt, seed: 6 });
      expect(await startThreads()).toBe(threadCount() > 1);
      const got = await mul(A, x);
      const blocks: number[] = [];
      try {
        const [, xo] = heapArray(dt, n, (i) => x.data[i]!, blocks);
        const [alone, yo] = heapArray(dt, m, () => 0, blocks);
        (dt === 'float64' ? native!.f64 : native!.f32)(A.data.byteOffset, xo, yo, n, n, 0, m, 0);
        expect(Array.from(got.data)).toEqual(Array.from(alone));
      } finally {
        for (let i = 0; i < blocks.length; i += 2) release(blocks[i]!, blocks[i + 1]!);
      }
    });
});

describe('DARRAY_NATIVE_MATVEC=0', () => {
  it('runs products with the WASM kernel and says why', () => {
    // A fresh process: the choice is made once, when the first product runs.
    const src = `import { kernelStatus } from './dist/src/index.js';
      const s = kernelStatus(); console.log(JSON.stringify([s.matvec, s.matvecReason]));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', src], {
      env: { ...process.env, DARRAY_NATIVE_MATVEC: '0' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(['wasm-simd', 'turned off by DARRAY_NATIVE_MATVEC=0']);
  });
});
