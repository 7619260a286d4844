/**
 * The array suite's random-number cases: `randInto`/`randnInto` (Julia's rand!/randn!) on every
 * array type and `rand(shape, { backend })`, ported from GPUArrays.jl test/testsuite/random.jl and
 * named after its testsets and lines, plus the generator's own promise: a seed gives the same
 * numbers on every backend (the host loop is the reference), within loose statistical bounds.
 */
import assert from 'node:assert/strict';
import { rand, randn, zeros } from '../array/create.js';
import { collect } from '../array/ops.js';
import { randInto, randnInto } from '../array/random-op.js';
import { near, type SuiteCaseHelpers } from './linalg.js';

function meanVar(xs: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += ((xs[i] as number) - mean) ** 2;
  return [mean, v / (xs.length - 1)];
}

/** Defines the random-number cases. */
export function randomCases(h: SuiteCaseHelpers): void {
  const { test, up, down } = h;
  for (const dt of h.dtypes) {
    test(`GPUArrays random.jl:19 "rand" and random.jl:43 "randn" d in 2, (2,2), (2,2,2) ${dt}`, async () => {
      for (const shape of [[2], [2, 2], [2, 2, 2]]) {
        for (const fill of [randInto, randnInto]) {
          const A = await up(zeros(shape, dt));
          const B = await up(zeros(shape, dt));
          await fill(A);
          await fill(B);
          assert.deepEqual([...A.shape], shape);
          const [a, b] = [await down(A), await down(B)];
          assert.notDeepEqual(Array.from(a.data), Array.from(b.data), `${fill.name} without a seed repeats`);
        }
      }
      // empty arrays
      assert.equal((await down(await randInto(await up(zeros([0], dt))))).size, 0);
      assert.equal((await down(await randnInto(await up(zeros([0], dt))))).size, 0);
    });

    test(`GPUArrays random.jl:71 "seeding" reproduces, and equals the host's numbers ${dt}`, async () => {
      const shape = [5, 7];
      for (const [fill, host, normal] of [
        [randInto, rand, false],
        [randnInto, randn, true],
      ] as const) {
        const A = await fill(await up(zeros(shape, dt)), { seed: 1 });
        const B = await fill(await up(zeros(shape, dt)), { seed: 1 });
        const C = await fill(await up(zeros(shape, dt)), { seed: 2 });
        const [a, b, c] = [await down(A), await down(B), await down(C)];
        assert.deepEqual(Array.from(a.data), Array.from(b.data), 'the same seed');
        assert.notDeepEqual(Array.from(a.data), Array.from(c.data), 'another seed');
        // The reference: the host loop at the precision the array holds (GPU arrays are float32).
        const want = host(shape, { seed: 1, dtype: A.dtype });
        if (normal) near(a.data, want.data, A.dtype === 'float32' ? 1e-5 : 1e-12, 'randn vs host');
        else assert.deepEqual(Array.from(a.data), Array.from(want.data), 'rand vs host, bit for bit');
      }
      await assert.rejects(
        randInto(await up(zeros([2], dt)), { seed: -1 }),
        /seed must be a non-negative integer/,
      );
    });

    test(`uniform in [0, 1) and normal within loose statistical bounds ${dt}`, async () => {
      const u = await down(await randInto(await up(zeros([4000], dt)), { seed: 11 }));
      assert.ok(
        u.data.every((x) => x >= 0 && x < 1),
        'every uniform in [0, 1)',
      );
      const [um, uv] = meanVar(u.data);
      assert.ok(Math.abs(um - 0.5) < 0.03, `uniform mean ${um}`);
      assert.ok(Math.abs(uv - 1 / 12) < 0.01, `uniform variance ${uv}`);
      const z = await down(await randnInto(await up(zeros([4000], dt)), { seed: 12 }));
      const [zm, zv] = meanVar(z.data);
      assert.ok(Math.abs(zm) < 0.1, `normal mean ${zm}`);
      assert.ok(Math.abs(zv - 1) < 0.15, `normal variance ${zv}`);
      // GPUArrays random.jl:66: Box–Muller gives no infinities or NaNs.
      assert.ok(
        z.data.every((x) => Number.isFinite(x)),
        'every normal finite',
      );
    });

    // A DArray needs its processes: drand makes one (test/integration/darray-random.test.ts).
    if (h.backend !== 'darray')
      test(`rand and randn with { backend } make the host's numbers there ${dt}`, async () => {
        for (const [make, normal] of [
          [rand, false],
          [randn, true],
        ] as const) {
          const x = await make([3, 4], { seed: 9, dtype: dt, backend: h.backend });
          const got = await down(x);
          const want = await collect(make([3, 4], { seed: 9, dtype: x.dtype }));
          assert.deepEqual([...got.shape], [3, 4]);
          near(
            got.data,
            want.data,
            normal && x.dtype === 'float32' ? 1e-5 : 0,
            `${make.name} on ${h.backend}`,
          );
        }
        await assert.rejects(rand([2], { backend: 'darray' }), /use drand/);
      });
  }
}
