// WebGPU arrays larger than one storage binding (lavapipe binds 128 MiB, an NVIDIA GPU 4 GiB, so a
// 32768² float32 matrix): rand fills them in row blocks and mul binds them in row blocks, and both
// give what the host gives. The matrix is 8193 float32 wide, so blocks fall on 64-row boundaries.
import { describe, expect, it } from 'vitest';
import { gpuMemory, scope } from '../../gpu/index.js';
import type { WebGPUBackend } from '../../kernels/webgpu/backend.js';
import { collect, mul, rand } from '../../src/array/index.js';
import { fillRandom } from '../../src/array/random-op.js';
import { probe } from './harness.js';

const { backend, reason } = await probe('webgpu');
if (!backend && process.env.CI === 'true') throw new Error(`WebGPU must start under CI=true: ${reason}`);
const run = backend ? describe : describe.skip;

// On an adapter that binds gigabytes the arrays here would be gigabytes: those cases are for small-binding ones.
const limit = backend ? (backend as WebGPUBackend).maxBinding : 0;
const small = limit <= 2 ** 28;
const onSmall = small ? it : it.skip;
const big = small ? '' : ` (skipped: this adapter binds ${limit} bytes, so the case would need gigabytes)`;

run(`webgpu arrays over one binding${backend ? '' : ` (skipped: ${reason})`}`, () => {
  onSmall(
    `rand fills a matrix larger than one binding in row blocks, equal to the host numbers${big}`,
    async () => {
      const cols = 8193;
      const rows = Math.floor(limit / 4 / cols) + 70;
      const before = gpuMemory().webgpu ?? 0;
      await scope(async () => {
        const A = await rand([rows, cols], { dtype: 'float32', seed: 11, backend: 'webgpu' });
        const host = await collect(A);
        // Rows on each side of every place a block could end, checked against the host generator.
        for (const r0 of [0, rows - 140, rows - 71, rows - 3]) {
          const want = new Float32Array(3 * cols);
          const within = { dims: [rows, cols], box: [[r0, r0 + 3] as const, [0, cols] as const] };
          fillRandom(want, [3, cols], { normal: false, seed: 11, within }, true);
          expect(host.data.subarray(r0 * cols, (r0 + 3) * cols)).toEqual(want);
        }
        // And the product, bound in row blocks too, against a float64 loop over the same numbers.
        const x = await rand([cols], { dtype: 'float32', seed: 12, backend: 'webgpu' });
        const y = (await collect(await mul(A, x))).data;
        const xs = (await collect(x)).data;
        for (const r of [0, 1, rows - 70, rows - 1]) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += (host.data[r * cols + j] ?? 0) * (xs[j] ?? 0);
          expect(Math.abs((y[r] ?? 0) - s) / s).toBeLessThan(1e-5);
        }
      });
      expect(gpuMemory().webgpu ?? 0).toBe(before);
    },
    120_000,
  );

  onSmall(`says what to do when one row is wider than a binding${big}`, async () => {
    const cols = limit / 4 + 64;
    await expect(rand([2, cols], { dtype: 'float32', seed: 1, backend: 'webgpu' })).rejects.toThrow(
      /one row of shape \[2,\d+\] \(\d+ bytes\) exceeds the adapter's \d+-byte binding limit; make the array on the host or as a DArray/,
    );
  });
});
