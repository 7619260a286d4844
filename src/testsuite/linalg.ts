/**
 * The array suite's linear-algebra cases (triu, tril, diag, diagm, tr, kron, opnorm, cholesky,
 * solveTriangular), ported test by test from GPUArrays.jl test/testsuite/linalg.jl and named after
 * its testsets and lines. Expected values come from plain loops over the uploaded array's own
 * values (a GPU array holds float32 even when the case's dtype is float64).
 */
import assert from 'node:assert/strict';
import { array, rand, randn } from '../array/create.js';
import type { DType } from '../array/dtype.js';
import type { NDArray } from '../array/ndarray.js';
import { collect, transpose } from '../array/ops.js';
import type { AnyArray } from '../array/protocol.js';
import { PosDefError } from '../errors.js';
import { cholesky, diag, diagm, kron, opnorm, solveTriangular, tr, tril, triu } from '../linalg/ops.js';

/** What the suite's runner (index.ts) hands to each file of cases. */
export interface SuiteCaseHelpers {
  /** Defines one case (honouring the runner's skip list). */
  test(name: string, body: () => Promise<void>): void;
  /** Moves a host array onto the array type under test. */
  up(a: NDArray): Promise<AnyArray>;
  /** Brings a result back, checking it is of the array type under test. */
  down(x: AnyArray): Promise<NDArray>;
  dtypes: readonly DType[];
  rtolOf(dt: DType): number;
  /** The backend name of the arrays under test ('cpu', 'webgpu', 'darray', …). */
  backend: string;
}

/** Elementwise comparison within `tol` relative to the largest expected magnitude (at least 1). */
export function near(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what = ''): void {
  assert.equal(got.length, want.length, `${what} number of elements`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  for (let i = 0; i < want.length; i++)
    if (!(Math.abs((got[i] as number) - (want[i] as number)) <= tol * scale))
      throw new Error(`${what} element ${i}: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
}

const shapeOf = (x: { shape: readonly number[] }): number[] => [...x.shape];

/** Defines the linear-algebra cases. */
export function linalgCases(h: SuiteCaseHelpers): void {
  const { test, up, down } = h;
  // The uploaded array and its values as the array type holds them.
  const held = async (a: NDArray): Promise<[AnyArray, NDArray]> => {
    const x = await up(a);
    return [x, await collect(x)];
  };

  for (const dt of h.dtypes) {
    const tol = h.rtolOf(dt) * 100;

    for (const [f, name] of [
      [triu, 'triu'],
      [tril, 'tril'],
    ] as const)
      test(`GPUArrays linalg.jl:637 "${name} with diagonal d" d in -2:2 ${dt}`, async () => {
        for (const shape of [
          [10, 10],
          [7, 12],
          [0, 0],
        ]) {
          const [x, A] = await held(randn(shape, { dtype: dt, seed: 31 }));
          const [m = 0, n = 0] = shape;
          for (let d = -2; d <= 2; d++) {
            const got = await down(await f(x, d));
            assert.deepEqual(shapeOf(got), shape);
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++) {
                const keep = name === 'triu' ? j - i >= d : j - i <= d;
                assert.equal(
                  got.get(i, j),
                  keep ? A.get(i, j) : 0,
                  `${name}(A, ${d})[${i}, ${j}] of [${shape}]`,
                );
              }
          }
        }
      });

    test(`GPUArrays linalg.jl:21 "tr" ${dt}`, async () => {
      const [x, A] = await held(rand([12, 12], { dtype: dt, seed: 32 }));
      let want = 0;
      for (let i = 0; i < 12; i++) want += A.get(i, i);
      near([await tr(x)], [want], tol);
      await assert.rejects(
        tr(await up(rand([3, 4], { dtype: dt, seed: 1 }))),
        /tr: expected a square matrix/,
      );
    });

    test(`diag(A, k) for k in -3:3 and outside the matrix ${dt}`, async () => {
      const [x, A] = await held(rand([7, 9], { dtype: dt, seed: 33 }));
      for (let k = -3; k <= 3; k++) {
        const got = await down(await diag(x, k));
        const want: number[] = [];
        for (let i = 0; i < 7; i++) if (i + k >= 0 && i + k < 9) want.push(A.get(i, i + k));
        assert.deepEqual(Array.from(got.data), want, `diag(A, ${k})`);
      }
      assert.deepEqual(shapeOf(await down(await diag(x, 9))), [0]);
      await assert.rejects(diag(x, 10), /diag: requested diagonal 10 of a 7×9 matrix/);
      await assert.rejects(diag(x, 0.5), /the diagonal k must be an integer/);
    });

    test(`GPUArrays linalg.jl:322 "diagm" ${dt}`, async () => {
      const m = 12;
      const [a, A] = await held(rand([m], { dtype: dt, seed: 34 }));
      const [b, B] = await held(rand([m - 1], { dtype: dt, seed: 35 }));
      for (const [v, V, k] of [
        [a, A, 0],
        [b, B, 1],
        [b, B, -1],
        [a, A, -3],
      ] as const) {
        const got = await down(await diagm(v, k));
        const N = V.size + Math.abs(k);
        assert.deepEqual(shapeOf(got), [N, N]);
        for (let i = 0; i < N; i++)
          for (let j = 0; j < N; j++)
            assert.equal(
              got.get(i, j),
              j - i === k ? V.get(Math.min(i, j)) : 0,
              `diagm(v, ${k})[${i}, ${j}]`,
            );
      }
      await assert.rejects(
        diagm(await up(rand([2, 2], { dtype: dt, seed: 1 }))),
        /diagm: v must be a vector/,
      );
    });

    test(`GPUArrays linalg.jl:453 "linalg/kron" opa, opb in (vec, identity, transpose) ${dt}`, async () => {
      const [a, A] = await held(rand([3, 4], { dtype: dt, seed: 36 }));
      const [b, B] = await held(rand([5, 2], { dtype: dt, seed: 37 }));
      const [va, VA] = await held(rand([4], { dtype: dt, seed: 38 }));
      const [vb, VB] = await held(rand([3], { dtype: dt, seed: 39 }));
      const bt = await transpose(b);
      const BT = await collect(bt);
      for (const [x, X, y, Y] of [
        [a, A, b, B],
        [va, VA, vb, VB],
        [a, A, vb, VB],
        [va, VA, bt, BT],
      ] as const) {
        const got = await down(await kron(x, y));
        const [m, n] = [X.shape[0] ?? 1, X.shape[1] ?? 1];
        const [p, q] = [Y.shape[0] ?? 1, Y.shape[1] ?? 1];
        assert.deepEqual(shapeOf(got), X.ndim === 1 && Y.ndim === 1 ? [m * p] : [m * p, n * q]);
        const want: number[] = [];
        for (let i = 0; i < m * p; i++)
          for (let j = 0; j < n * q; j++) {
            const s = X.data[Math.floor(i / p) * n + Math.floor(j / q)] as number;
            want.push(s * (Y.data[(i % p) * q + (j % q)] as number));
          }
        near(got.data, want, tol, `kron([${X.shape}], [${Y.shape}])`);
      }
    });

    test(`GPUArrays linalg.jl:832 "p-opnorm" sz in (2, 0), (2, 3), p in 1, Inf; and p = 2 ${dt}`, async () => {
      for (const shape of [
        [2, 0],
        [2, 3],
        [6, 4],
      ]) {
        const [x, A] = await held(randn(shape, { dtype: dt, seed: 40 }));
        const [m = 0, n = 0] = shape;
        const colSums = Array.from({ length: n }, (_, j) => {
          let s = 0;
          for (let i = 0; i < m; i++) s += Math.abs(A.get(i, j));
          return s;
        });
        const rowSums = Array.from({ length: m }, (_, i) => {
          let s = 0;
          for (let j = 0; j < n; j++) s += Math.abs(A.get(i, j));
          return s;
        });
        near([await opnorm(x, 1)], [Math.max(0, ...colSums)], tol, `opnorm 1 of [${shape}]`);
        near(
          [await opnorm(x, Number.POSITIVE_INFINITY)],
          [Math.max(0, ...rowSums)],
          tol,
          `opnorm Inf of [${shape}]`,
        );
      }
      // p = 2 against a matrix with known singular values: an orthogonal-free diagonal plus a small
      // coupling, σ₁ worked out by a long plain-loop power iteration in float64.
      const S = array(
        [
          [4, 1, 0],
          [0, 2, 0.5],
          [0, 0, 1],
          [1, 0, 0],
        ],
        { dtype: dt },
      );
      const [x, A] = await held(S);
      let v = [1, 1, 1];
      let s2 = 0;
      for (let it = 0; it < 2000; it++) {
        const y = [0, 1, 2, 3].map((i) => v.reduce((s, vj, j) => s + A.get(i, j) * vj, 0));
        const z = [0, 1, 2].map((j) => y.reduce((s, yi, i) => s + A.get(i, j) * yi, 0));
        s2 = Math.hypot(...z);
        v = z.map((t) => t / s2);
      }
      near([await opnorm(x)], [Math.sqrt(s2)], dt === 'float32' ? 1e-4 : 1e-9, 'opnorm 2');
      await assert.rejects(opnorm(x, 3), /opnorm: p must be 1, 2 or Infinity/);
    });

    test(`GPUArrays linalg.jl:515 "cholesky + Diagonal" and a general SPD matrix ${dt}`, async () => {
      const n = 8;
      const I = array(
        Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))),
        { dtype: dt },
      );
      near((await down(await cholesky(await up(I)))).data, I.data, 0, 'cholesky(I)');
      // R·Rᵀ + n·I is positive definite.
      const R = rand([n, n], { dtype: dt, seed: 41 });
      const spd = array(
        Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => {
            let s = i === j ? n : 0;
            for (let k = 0; k < n; k++) s += R.get(i, k) * R.get(j, k);
            return s;
          }),
        ),
        { dtype: dt },
      );
      const [x, A] = await held(spd);
      const L = await down(await cholesky(x));
      assert.deepEqual(shapeOf(L), [n, n]);
      for (let i = 0; i < n; i++) {
        assert.ok(L.get(i, i) > 0, `L[${i}, ${i}] = ${L.get(i, i)} must be positive`);
        for (let j = i + 1; j < n; j++) assert.equal(L.get(i, j), 0, `L[${i}, ${j}] above the diagonal`);
      }
      const LLt: number[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += L.get(i, k) * L.get(j, k);
          LLt.push(s);
        }
      near(LLt, A.data, tol, 'L·Lᵀ');
      // Julia's cholesky(Diagonal([1, 2, -1, 0])).info == 3 (1-based): here PosDefError.info == 2.
      const bad = array(
        [
          [1, 0, 0, 0],
          [0, 2, 0, 0],
          [0, 0, -1, 0],
          [0, 0, 0, 0],
        ],
        { dtype: dt },
      );
      await assert.rejects(cholesky(await up(bad)), (e: unknown) => e instanceof PosDefError && e.info === 2);
      await assert.rejects(
        cholesky(await up(rand([2, 3], { dtype: dt, seed: 1 }))),
        /expected a square matrix/,
      );
    });

    test(`GPUArrays linalg.jl:529 "\\\\ + Diagonal" as solveTriangular ${dt}`, async () => {
      const n = 10;
      const d = rand([n], { dtype: dt, seed: 42 });
      const D = array(
        Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => (i === j ? 0.5 + (d.data[i] as number) : 0)),
        ),
        { dtype: dt },
      );
      const [x, DH] = await held(D);
      const [b, BH] = await held(rand([n], { dtype: dt, seed: 43 }));
      const got = await down(await solveTriangular(x, b));
      near(
        got.data,
        Array.from(BH.data, (v, i) => v / DH.get(i, i)),
        tol,
        'D \\ b',
      );
      const Z = array(
        Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => (i === j ? (i === 3 ? 0 : 1) : 0)),
        ),
        { dtype: dt },
      );
      await assert.rejects(
        solveTriangular(await up(Z), b),
        /A is singular: its diagonal element \[3, 3\] is 0/,
      );
    });

    test(`GPUArrays linalg.jl:240 "trimatdiv" lower and upper, vector and matrix b ${dt}`, async () => {
      const n = 9;
      const R = rand([n, n], { dtype: dt, seed: 44 });
      // A diagonal kept away from 0 so the solve is well conditioned.
      for (let i = 0; i < n; i++) R.set(n, i, i);
      const [x, A] = await held(R);
      for (const lower of [true, false])
        for (const bShape of [[n], [n, 3]]) {
          const [b, B] = await held(rand(bShape, { dtype: dt, seed: 45 }));
          const X = await down(await solveTriangular(x, b, { lower }));
          assert.deepEqual(shapeOf(X), bShape);
          const cols = bShape[1] ?? 1;
          // The triangle of A times x gives b back; the other triangle is never read.
          const AX: number[] = [];
          for (let i = 0; i < n; i++)
            for (let c = 0; c < cols; c++) {
              let s = 0;
              for (let k = 0; k < n; k++)
                if (lower ? k <= i : k >= i) s += A.get(i, k) * (X.data[k * cols + c] as number);
              AX.push(s);
            }
          near(AX, B.data, tol, `${lower ? 'lower' : 'upper'} solve with b of [${bShape}]`);
        }
      await assert.rejects(
        solveTriangular(x, await up(rand([n + 1], { dtype: dt, seed: 1 }))),
        /A is 9×9 but b has 10 rows/,
      );
    });
  }
}
