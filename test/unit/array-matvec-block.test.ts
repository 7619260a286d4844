// The matvecBlock op: block products through the registry (the CPU kernel), checked against mul.
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import { describe, expect, it } from 'vitest';
import { gpu } from '../../gpu/index.js';
import { empty, hasKernel, matvecBlock, mul, rand } from '../../src/array/index.js';
import { ArgumentError, MissingKernelError } from '../../src/errors.js';

describe('matvecBlock', () => {
  it('column blocks, written then accumulated, over row ranges, sum to the whole product', async () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const A = rand([37, 29], { dtype, seed: 1 });
      const x = rand([29], { dtype, seed: 2 });
      const y = empty([37], dtype);
      const cut = 11;
      const head = 20;
      await matvecBlock(A, x.rows(0, cut), y, { start: 0, accumulate: false, rows: [0, head] });
      await matvecBlock(A, x.rows(cut, 29), y, { start: cut, accumulate: true, rows: [0, head] });
      await matvecBlock(A, x, y, { start: 0, accumulate: false, rows: [head, 37] });
      const want = await mul(A, x);
      const tol = dtype === 'float32' ? 1e-5 : 1e-12;
      for (let i = 0; i < 37; i++)
        expect(Math.abs((y.data[i] as number) - (want.data[i] as number))).toBeLessThan(tol);
    }
  });

  it('a block outside the matrix is an ArgumentError naming the rows and columns', async () => {
    const A = rand([4, 3], { seed: 3 });
    await expect(
      matvecBlock(A, rand([3], { seed: 4 }), empty([4]), { start: 1, accumulate: false }),
    ).rejects.toThrow(ArgumentError);
    await expect(
      matvecBlock(A, rand([2], { seed: 4 }), empty([4]), { start: 0, accumulate: false, rows: [2, 5] }),
    ).rejects.toThrow(/rows \[2, 5\) and columns \[0, 2\) of a \[4,3\] matrix into a vector of 4/);
  });

  it('a backend without the kernel is a MissingKernelError naming the op and the backend', async () => {
    expect(hasKernel('matvecBlock', 'cpu')).toBe(true);
    const A = await gpu(rand([4, 3], { seed: 5 }), { backend: 'tfjs' });
    const err = await matvecBlock(A, rand([3], { seed: 6 }), empty([4], 'float32'), {
      start: 0,
      accumulate: false,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingKernelError);
    expect(err).toMatchObject({ op: 'matvecBlock', backend: 'tfjs' });
    A.dispose();
  });
});
