// Host-only checks of the random generator and the linear-algebra errors that the shared suite
// (which runs on every array type) cannot state once.
import { describe, expect, it } from 'vitest';
import '../../src/backends.js';
import {
  array,
  cholesky,
  NDArray,
  PosDefError,
  rand,
  randn,
  randnInto,
  solveTriangular,
  zeros,
} from '../../src/index.js';

describe('random numbers on the host', () => {
  it('GPUArrays random.jl:115 "randn! rejects non-float"', async () => {
    await expect(randnInto(zeros([4], 'int32'))).rejects.toThrow(
      'randnInto: normal numbers need a float32 or float64 array, got int32',
    );
  });

  it('rand with { backend: "cpu" } resolves to the NDArray that rand without it gives', async () => {
    const x = await rand([3, 3], { seed: 8, backend: 'cpu' });
    expect(x).toBeInstanceOf(NDArray);
    expect(Array.from((x as NDArray).data)).toEqual(Array.from(rand([3, 3], { seed: 8 }).data));
  });

  it('a float32 uniform is the float64 one cut to 24 bits; nearby seeds give unrelated numbers', () => {
    const d = rand([64], { seed: 3 });
    const s = rand([64], { seed: 3, dtype: 'float32' });
    for (let i = 0; i < 64; i++)
      expect(s.data[i]).toBe(Math.floor((d.data[i] as number) * 2 ** 24) / 2 ** 24);
    const next = rand([64], { seed: 4 });
    const same = d.data.filter((v, i) => Math.abs(v - (next.data[i] as number)) < 1e-3).length;
    expect(same).toBeLessThan(5);
    expect(() => randn([2], { seed: 1.5 })).toThrow('seed must be a non-negative integer, got number 1.5');
  });
});

describe('linear algebra errors', () => {
  it('PosDefError says what cholesky needs and where it failed', async () => {
    const err = await cholesky(
      array([
        [1, 2],
        [2, 1],
      ]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosDefError);
    expect((err as PosDefError).info).toBe(1);
    expect((err as Error).message).toMatch(
      /not positive definite \(pivot 1 is not positive\).*symmetric positive definite/,
    );
  });

  it('solveTriangular names a bad lower option', async () => {
    const A = array([
      [1, 0],
      [0, 1],
    ]);
    await expect(solveTriangular(A, array([1, 1]), { lower: 'yes' as unknown as boolean })).rejects.toThrow(
      'solveTriangular: lower must be true or false, got',
    );
  });
});
