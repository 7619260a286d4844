// WebGPU kernels are recorded into one batch and submitted together; bind groups are kept. These
// cases check the orderings a batch could break (a write, or a reused temporary, running ahead of
// commands recorded before it), that a user's loop step is one submit (two with the lookahead), and that kept bind groups
// never outlive their buffers.
import { describe, expect, it } from 'vitest';
import { allowScalar, gpu, gpuMemory, scope } from '../../gpu/index.js';
import type { WebGPUBackend } from '../../kernels/webgpu/backend.js';
import { BindGroupCache } from '../../kernels/webgpu/bind-groups.js';
import { lookaheadOf } from '../../kernels/webgpu/lookahead.js';
import { BufferPool } from '../../kernels/webgpu/pool.js';
import { array, broadcast, broadcastInto, collect, mul, norm, rand, release } from '../../src/array/index.js';
import { probe } from './harness.js';

const { backend, reason } = await probe('webgpu');
if (!backend && process.env.CI === 'true') throw new Error(`WebGPU must start under CI=true: ${reason}`);
const run = backend ? describe : describe.skip;

run(`WebGPU batching and kept bind groups${backend ? '' : ` (skipped: ${reason})`}`, () => {
  const b = backend as WebGPUBackend;
  const up = (a: Parameters<typeof gpu>[0]) => gpu(a, { backend: 'webgpu' });
  const values = async (g: Parameters<typeof collect>[0]) => Array.from((await collect(g)).data);

  it('a write to the output of a recorded kernel lands after that kernel', async () => {
    await scope(async () => {
      const x = await up(array([1, 2, 3, 4]));
      const y = await broadcast((a: number) => a + 1, x);
      await allowScalar(() => y.set(42, 0));
      expect(await values(y)).toEqual([42, 3, 4, 5]);
    });
  });

  it('a write to the input of a recorded kernel does not change what that kernel read', async () => {
    await scope(async () => {
      const x = await up(array([1, 2, 3, 4]));
      const y = await broadcast((a: number) => 2 * a, x);
      await allowScalar(() => x.set(100, 0));
      expect(await values(y)).toEqual([2, 4, 6, 8]);
      expect(await values(x)).toEqual([100, 2, 3, 4]);
    });
  });

  it('a temporary freed inside a batch is not rewritten before the batch runs', async () => {
    await scope(async () => {
      const x = await up(array([1, 2, 3, 4]));
      const outs = [
        await up(array([0, 0, 0, 0])),
        await up(array([0, 0, 0, 0])),
        await up(array([0, 0, 0, 0])),
      ];
      await collect(outs[2]!);
      // Each broadcast writes its scalar into a parameter buffer from the pool and frees it once
      // recorded (into an existing output, nothing else is taken from the pool first); reused at
      // once, the next write would reach the queue before the kernel that reads the first.
      for (const [i, s] of [2, 3, 5].entries())
        await broadcastInto(outs[i]!, (a: number, k: number) => a * k, x, s);
      expect(await Promise.all(outs.map(values))).toEqual([
        [2, 4, 6, 8],
        [3, 6, 9, 12],
        [5, 10, 15, 20],
      ]);
    });
  });

  it('a kernel refused while recording leaves the rest of its batch intact', async () => {
    await scope(async () => {
      const x = await up(array([1, 2, 3, 4]));
      const out = b.alloc(16);
      const src = `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(1) fn main() { o[0] = 1.0; }`;
      // Both pipelines compiled first (a compile yields to the event loop, which submits the batch),
      // so that the broadcast before the refused kernel and the read-back after it share its batch.
      await b.pipeline(src);
      await broadcast((a: number) => a + 1, x);
      const y = await broadcast((a: number) => a + 1, x);
      await expect(b.run(src, [{ buffer: out.buffer }], Number.NaN)).rejects.toThrow();
      out.release();
      expect(await values(y)).toEqual([2, 3, 4, 5]);
    });
  });

  it('a chain longer than one batch gives the sequential result', async () => {
    await scope(async () => {
      let x = await up(array([0, 1]));
      for (let i = 0; i < 20; i++) x = await broadcast((a: number) => a * 2 + 1, x);
      // x ↦ 2x + 1 applied 20 times: 2^20·x + 2^20 − 1, exact in float32 for x = 0 and 1.
      expect(await values(x)).toEqual([2 ** 20 - 1, 2 ** 21 - 1]);
    });
  });

  // With the lookahead (lookahead.ts) a step is two submits: the norm with its read-back, then the
  // next division and product, recorded while the norm travels. Without it, one.
  for (const ahead of [false, true])
    it(`a step of the manual's loop is ${ahead ? 'two submits (lookahead on)' : 'one submit (lookahead off)'} of one compute pass each, and its bind groups are made once`, async () => {
      const la = lookaheadOf(b);
      const was = la.enabled;
      la.enabled = ahead;
      try {
        await scope(async () => {
          const M = await rand([64, 64], { dtype: 'float32', seed: 1, backend: 'webgpu' });
          let v = await rand([64], { dtype: 'float32', seed: 2, backend: 'webgpu' });
          const step = async () => {
            const y = await mul(M, v);
            const s = await norm(y);
            const next = await broadcast((a: number, c: number) => a / c, y, s);
            release(y);
            release(v);
            v = next;
          };
          // Pooled buffers rotate, so the bindings of a step recur after a few steps (8 here).
          for (let i = 0; i < 16; i++) await step();
          const [submits, passes, made, claimed] = [
            b.batch.submits,
            b.batch.passes,
            b.bindGroups.made,
            la.stats.claimed,
          ];
          for (let i = 0; i < 10; i++) await step();
          expect(b.batch.submits - submits).toBe(ahead ? 20 : 10);
          // The division, the product and the norm share a pass; the norm's read-back ends it.
          expect(b.batch.passes - passes).toBe(ahead ? 20 : 10);
          expect(b.bindGroups.made - made).toBe(0);
          expect(la.stats.claimed - claimed).toBe(ahead ? 20 : 0);
        });
      } finally {
        la.enabled = was;
      }
    });

  it('a kernel over 4 MiB or more is submitted at once; small ones wait for the end of the tick', async () => {
    await scope(async () => {
      const M = await rand([1024, 1024], { dtype: 'float32', seed: 1, backend: 'webgpu' });
      const v = await rand([1024], { dtype: 'float32', seed: 2, backend: 'webgpu' });
      // Compiling a pipeline yields to the event loop, which submits the batch: compile both first.
      await mul(M, v);
      await broadcast((a: number) => a + 1, v);
      await new Promise((r) => setImmediate(r));
      const before = b.batch.submits;
      await broadcast((a: number) => a + 1, v);
      expect(b.batch.submits - before).toBe(0);
      // The product binds the 4 MiB matrix: the GPU should start on it while JavaScript goes on.
      await mul(M, v);
      expect(b.batch.submits - before).toBe(1);
      await broadcast((a: number) => a + 1, v);
      await new Promise((r) => setImmediate(r));
      expect(b.batch.submits - before).toBe(2);
    });
  });

  it('the pool keeps buffers freed during a batch out of reuse until it is submitted', () => {
    const pool = new BufferPool(b.gpu);
    const first = pool.acquire(256);
    pool.hold(() => pool.unhold());
    pool.release(first);
    const second = pool.acquire(256);
    expect(second).not.toBe(first);
    pool.unhold();
    expect(pool.acquire(256)).toBe(first);
    pool.release(first);
    pool.release(second);
    pool.trim();
  });

  it('a large buffer held for a batch is waited for rather than made again', async () => {
    const pool = new BufferPool(b.gpu);
    let submits = 0;
    const big = pool.acquire(2 ** 20);
    const small = pool.acquire(256);
    pool.hold(() => {
      submits++;
      pool.unhold();
    });
    pool.release(small);
    pool.release(big);
    const small2 = pool.acquire(256);
    expect([small2 === small, submits]).toEqual([false, 0]);
    expect(pool.acquire(2 ** 20)).toBe(big);
    expect(submits).toBe(1);
    pool.release(big);
    pool.release(small2);
    pool.release(small);
    pool.trim();
    // Through the backend: a loop that makes and frees a 4 MiB array per step keeps one or two.
    await scope(async () => {
      const x = await up(rand([2 ** 20], { seed: 3 }));
      const made = b.pool.made;
      for (let i = 0; i < 20; i++) (await broadcast((a: number, k: number) => a + k, x, i)).dispose();
      expect(b.pool.made - made).toBeLessThanOrEqual(2);
    });
  });

  it('bind groups of a destroyed buffer are dropped, and the oldest go beyond the cap', async () => {
    const cache = new BindGroupCache(b.gpu, 2);
    const pool = new BufferPool(b.gpu, { maxIdle: 0, onDestroy: (buf) => cache.forget(buf) });
    const pipeline = await b.pipeline(`@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(1) fn main() { o[0] = 1.0; }`);
    const layout = pipeline.getBindGroupLayout(0);
    const [p, q, r] = [pool.acquire(64), pool.acquire(64), pool.acquire(64)];
    const g = cache.get(layout, [{ buffer: p }]);
    expect(cache.get(layout, [{ buffer: p }])).toBe(g);
    expect(cache.get(layout, [{ buffer: p, size: 16 }])).not.toBe(g);
    expect(cache.size).toBe(2);
    cache.get(layout, [{ buffer: q }]);
    expect(cache.size).toBe(2);
    expect(cache.made).toBe(3);
    // maxIdle 0: a released buffer is destroyed, and the pool tells the cache first.
    pool.release(q);
    expect(cache.size).toBe(1);
    pool.release(p);
    expect(cache.size).toBe(0);
    pool.release(r);
  });

  it('leaves no GPU memory behind', () => {
    expect(gpuMemory().webgpu).toBe(0);
  });
});
