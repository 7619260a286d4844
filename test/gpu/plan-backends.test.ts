// One reduce plan and one lowered IR drive every backend: on random arrays with NaN, -0, ±∞ and
// empty ones, each GPU backend's mapreduce and broadcast equal the CPU kernel's (the reference).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GPUBackendName, gpu, gpuMemory, scope } from '../../gpu/index.js';
import {
  type AnyArray,
  broadcast,
  collect,
  mapreduce,
  max,
  min,
  NDArray,
  prod,
  reduce,
  sum,
} from '../../src/array/index.js';
import { backendOrSkip } from './harness.js';

type Outcome = { value: number } | { error: string };

async function settle(f: () => Promise<number>): Promise<Outcome> {
  try {
    return { value: await f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Equal as numbers (NaN to NaN, ±∞ exactly, finite within float32 rounding); zero signs aside. */
function same(got: number, want: number, what: string): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) {
    if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want)))
      throw new Error(`${what}: got ${got}, want ${want}`);
  } else if (!(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want))))
    throw new Error(`${what}: got ${got}, want ${want}`);
}

const REDUCTIONS: [string, (x: AnyArray) => Promise<number>][] = [
  ['sum', (x) => sum(x)],
  ['prod', (x) => prod(x)],
  ['min', (x) => min(x)],
  ['max', (x) => max(x)],
  ['min with init', (x) => min(x, { init: 1.5 })],
  ['(a, b) => Math.min(a, b)', (x) => reduce((a: number, b: number) => Math.min(a, b), x)],
  ['max of x % 2', (x) => mapreduce((v: number) => v % 2, 'max', x)],
  ['sum of (x && 2) || -1', (x) => mapreduce((v: number) => (v && 2) || -1, 'sum', x)],
  ['(s, v) => s + v * v with init', (x) => reduce((s: number, v: number) => s + v * v, x, { init: 1 })],
  ['(a, b) => a - b', (x) => reduce((a: number, b: number) => a - b, x)],
  ['(a, b) => a - b with init', (x) => reduce((a: number, b: number) => a - b, x, { init: 100 })],
  [
    'max of Math.round',
    (x) =>
      mapreduce(
        (v: number) => Math.round(v),
        (a: number, b: number) => Math.max(a, b),
        x,
        { init: -9 },
      ),
  ],
];

const LAMBDAS: string[] = [
  '(a, b) => a % b',
  '(a, b) => a && b',
  '(a, b) => (a || b) - !a',
  '(a, b) => (a > b ? Math.min(a, b) : Math.max(a, -b))',
  '(a, b) => Math.max(a, b, 1)',
  '(a) => Math.round(a)',
  '(a, b) => a ** b',
];

const element = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -4, max: 4 }).map((n) => n / 2) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  },
);
const values = fc.array(element, { maxLength: 24 });

for (const name of ['webgpu', 'tfjs', 'gpujs'] as GPUBackendName[]) {
  const backend = await backendOrSkip(name);
  if (!backend) continue;
  describe(`reduce plan and lowered IR on ${name} (property)`, () => {
    it('mapreduce equals the CPU kernel, empty arrays and errors included', async () => {
      const before = gpuMemory()[name];
      await fc.assert(
        fc.asyncProperty(values, async (v) => {
          await scope(async () => {
            const host = new NDArray(Float32Array.from(v), [v.length]);
            const g = await gpu(host, { backend: name });
            for (const [what, run] of REDUCTIONS) {
              const want = await settle(() => run(host));
              const got = await settle(() => run(g));
              if ('error' in want) expect(got, what).toEqual(want);
              else if (!('value' in got))
                throw new Error(`${what}: got error ${got.error}, want ${want.value}`);
              else same(got.value, want.value, `${what} of [${v}]`);
            }
          });
        }),
        { numRuns: 12 },
      );
      expect(gpuMemory()[name]).toBe(before);
    });

    it('broadcast equals the CPU kernel on NaN, -0 and ±∞', async () => {
      await fc.assert(
        fc.asyncProperty(values, values, async (va, vb) => {
          const n = Math.min(va.length, vb.length);
          if (n === 0) return;
          await scope(async () => {
            const a = new NDArray(Float32Array.from(va.slice(0, n)), [n]);
            const b = new NDArray(Float32Array.from(vb.slice(0, n)), [n]);
            const ga = await gpu(a, { backend: name });
            const gb = await gpu(b, { backend: name });
            for (const src of LAMBDAS) {
              const two = src.startsWith('(a, b)');
              const want = (await broadcast(src, ...(two ? [a, b] : [a]))).data;
              const got = (await collect(await broadcast(src, ...(two ? [ga, gb] : [ga])))).data;
              // ** of float32 values is float32-rounded on the GPU.
              for (let i = 0; i < n; i++) same(got[i]!, want[i]!, `${src} at (${a.data[i]}, ${b.data[i]})`);
            }
          });
        }),
        { numRuns: 8 },
      );
    });
  });
}
