// The IR → WASM broadcast compiler against the IR → JS loop, on random lambdas (fast-check).
// The library below its entry registers no backend; an entry (and so this test) does.
import '../../src/backends.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isResident } from '../../kernels/wasm/heap.js';
import { useAccelerators } from '../../kernels/wasm/index.js';
import { startThreads } from '../../kernels/wasm/pool.js';
import { array, broadcast, type DType, type NDArray } from '../../src/array/index.js';
import { removeKernelVariant } from '../../src/array/registry.js';

// Large enough to live in the shared heap, where the WASM runner applies, and float64 outputs are split over threads.
const N = (1 << 18) + 3;

function sample(dtype: DType, seed: number): NDArray {
  const vals = [0, -0, 1, -1, 0.5, -2.5, 2.5, 3, Number.NaN, Number.POSITIVE_INFINITY, 1e-3, 7.25, -100];
  return array(
    Array.from({ length: N }, (_, i) => vals[(i * 7 + seed) % vals.length]! + (i % 11) / 4),
    { dtype },
  );
}

const leaf = fc.constantFrom('a', 'b', 's', '0', '1', '2.5', '(-3)', 'Math.PI');
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .tuple(
        tie('e'),
        fc.constantFrom('+', '-', '*', '/', '%', '**', '<', '<=', '>', '>=', '===', '!=', '&&', '||'),
        tie('e'),
      )
      .map(([l, op, r]) => `(${l} ${op} ${r})`),
    tie('e').map((x) => `(- ${x})`),
    tie('e').map((x) => `(!${x})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, x, y]) => `(${c} ? ${x} : ${y})`),
    fc
      .tuple(
        fc.constantFrom('sqrt', 'abs', 'floor', 'ceil', 'trunc', 'round', 'sign', 'sin', 'exp', 'fround'),
        tie('e'),
      )
      .map(([f, x]) => `Math.${f}(${x})`),
    fc
      .tuple(fc.constantFrom('min', 'max', 'atan2', 'hypot', 'pow'), tie('e'), tie('e'))
      .map(([f, x, y]) => `Math.${f}(${x}, ${y})`),
  ),
})).e;

const NESTED_IN_BRANCH = '(a ? a : Math.pow(a, Math.pow(a, ((a ** a) ? a : a))))';
const EIGHT_POWERS =
  'Math.pow(a, Math.pow(a, Math.pow(a, Math.pow(a, Math.pow(a, Math.pow(a, Math.pow(a, a ** a)))))))';

describe('broadcast compiled to WASM', () => {
  it('nested powers (a DAG once lowered) match the JS loop and plain JS bit for bit', async () => {
    await startThreads();
    const a = sample('float64', 5);
    try {
      for (const body of [NESTED_IN_BRANCH, EIGHT_POWERS]) {
        const src = `(a, b, s) => ${body}`;
        const plain = new Function(`return ${src}`)() as (a: number, b: number, s: number) => number;
        useAccelerators(true);
        const fast = await broadcast(src, a, a, 0);
        removeKernelVariant('broadcast', 'cpu', 'wasm');
        const slow = await broadcast(src, a, a, 0);
        for (let i = 0; i < N; i++) {
          const want = plain(a.data[i]!, a.data[i]!, 0);
          if (!Object.is(fast.data[i], want) || !Object.is(slow.data[i], want))
            throw new Error(
              `${src} at ${i} (a=${a.data[i]}): wasm ${fast.data[i]}, js ${slow.data[i]}, want ${want}`,
            );
        }
      }
    } finally {
      useAccelerators(true);
    }
  });

  it('gives bit-identical results to the JS loop', async () => {
    await startThreads();
    const inputs: [DType, DType][] = [
      ['float64', 'float64'],
      ['float32', 'float32'],
      ['int32', 'float64'],
      ['uint8', 'float32'],
    ];
    const arrays = inputs.map(([da, db], k) => [sample(da, k), sample(db, k + 3)] as const);
    expect(isResident(arrays[0]![0].data)).toBe(true);
    try {
      await fc.assert(
        fc.asyncProperty(
          expr,
          fc.integer({ min: 0, max: inputs.length - 1 }),
          fc.double(),
          async (body, k, s) => {
            const [a, b] = arrays[k]!;
            const src = `(a, b, s) => ${body}`;
            useAccelerators(true);
            const fast = await broadcast(src, a, b, s);
            removeKernelVariant('broadcast', 'cpu', 'wasm');
            const slow = await broadcast(src, a, b, s);
            expect(fast.dtype).toBe(slow.dtype);
            for (let i = 0; i < N; i++)
              if (!Object.is(fast.data[i], slow.data[i]))
                throw new Error(
                  `${src} at ${i} (a=${a.data[i]}, b=${b.data[i]}, s=${s}): wasm ${fast.data[i]}, js ${slow.data[i]}`,
                );
          },
        ),
        // A counterexample from CI: nested powers printed as a tree overflowed the stack.
        { numRuns: 60, examples: [[NESTED_IN_BRANCH, 0, 0.5]] },
      );
    } finally {
      useAccelerators(true);
    }
  });

  it('vectorised (f64x2) lambdas match the JS loop, odd lengths included', async () => {
    const a = sample('float64', 1);
    const b = sample('float64', 2);
    const lambdas = [
      '(a, b, s) => a + s * b',
      '(a, b, s) => -(a - b) / (s * s + 1)',
      '(a, b, s) => Math.sqrt(Math.abs(a)) + Math.floor(b) - Math.ceil(a * s) + Math.trunc(b / 3)',
      '(a, b, s) => Math.min(a, b, s) * Math.max(a, -b)',
    ];
    try {
      for (const src of lambdas) {
        useAccelerators(true);
        const fast = await broadcast(src, a, b, 0.75);
        removeKernelVariant('broadcast', 'cpu', 'wasm');
        const slow = await broadcast(src, a, b, 0.75);
        for (let i = 0; i < N; i++)
          if (!Object.is(fast.data[i], slow.data[i]))
            throw new Error(`${src} at ${i}: ${fast.data[i]} vs ${slow.data[i]}`);
      }
    } finally {
      useAccelerators(true);
    }
  });
});
