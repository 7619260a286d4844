import { expect, it } from 'vitest';
import { gpu, gpuBackend } from '../../gpu/index.js';
import { NDArray } from '../../src/index.js';

it('tfjs on WebGPU refuses an array larger than one binding instead of computing garbage', async () => {
  const b = await gpuBackend('tfjs');
  const tf = (
    b as unknown as { tf: { backend(): { device?: { limits: { maxStorageBufferBindingSize: number } } } } }
  ).tf;
  const limit = tf.backend().device?.limits.maxStorageBufferBindingSize;
  // Only tfjs's WebGPU backend has the limit; on its CPU backend any size is fine.
  if (!b.device.startsWith('tfjs-webgpu') || limit === undefined) {
    expect(b.device).toMatch(/^tfjs-/);
    return;
  }
  const n = limit / 4 + 1024;
  const big = new NDArray(new Float32Array(n), [n]);
  await expect(gpu(big, { backend: 'tfjs' })).rejects.toThrow(/binds at most .* MiB per tensor/);
});
