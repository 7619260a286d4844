// GPUArray on WebGPU beyond the shared suite: memory (dispose, using, scope, pool, leaks), the
// scalar guard, float32 conversion, WGSL semantics of JS, pipeline caching, and process exit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowScalar, GPUArray, gpu, gpuMemory, scope } from '../../gpu/index.js';
import type { WebGPUBackend } from '../../kernels/webgpu/backend.js';
import {
  array,
  broadcast,
  broadcastInto,
  collect,
  dot,
  max,
  mul,
  norm,
  rand,
  reduce,
  sum,
} from '../../src/array/index.js';
import { probe } from './harness.js';

const { backend, reason } = await probe('webgpu');
if (!backend && process.env.CI === 'true') throw new Error(`WebGPU must start under CI=true: ${reason}`);
const run = backend ? describe : describe.skip;
const root = fileURLToPath(new URL('../..', import.meta.url));

run(`GPUArray on webgpu${backend ? '' : ` (skipped: ${reason})`}`, () => {
  const up = (a: Parameters<typeof gpu>[0]) => gpu(a, { backend: 'webgpu' });

  it('read-backs reuse their staging buffers (making one cost about 1 ms on an H200)', async () => {
    const b = backend as WebGPUBackend;
    await scope(async () => {
      const x = await up(rand([16384], { seed: 9 }));
      const h = await collect(x);
      const made = b.stagingMade;
      for (let i = 0; i < 20; i++) expect((await collect(x)).data).toEqual(h.data);
      for (let i = 0; i < 20; i++) await sum(x);
      expect(b.stagingMade - made).toBeLessThanOrEqual(1);
    });
  });

  it('converts float64 to float32 and refuses an explicit float64', async () => {
    const g = await up(array([1.1, 2.2, 3.3]));
    expect(g.dtype).toBe('float32');
    expect(g.backend).toBe('webgpu');
    expect(g.device).toMatch(/^webgpu \(/);
    expect(Array.from((await collect(g)).data)).toEqual(Array.from(Float32Array.of(1.1, 2.2, 3.3)));
    await expect(gpu(array([1]), { backend: 'webgpu', dtype: 'float64' })).rejects.toThrow(
      /float64 is refused/,
    );
    g.dispose();
  });

  it('every op on GPUArrays returns a GPUArray; host arrays and numbers are uploaded', async () => {
    await scope(async () => {
      const g = await up(array([1, 2, 3, 4]));
      const y = await broadcast(
        (a: number, b: number, s: number) => a * b + s,
        g,
        array([10, 20, 30, 40]),
        1,
      );
      expect(y).toBeInstanceOf(GPUArray);
      expect(Array.from((await collect(y)).data)).toEqual([11, 41, 91, 161]);
      const M = await mul(
        await up(
          array([
            [1, 2],
            [3, 4],
          ]),
        ),
        array([1, 1]),
      );
      expect(M).toBeInstanceOf(GPUArray);
      expect(Array.from((await collect(M)).data)).toEqual([3, 7]);
    });
  });

  it('broadcastInto may write into one of its inputs', async () => {
    await scope(async () => {
      const a = await up(array([1, 2, 3]));
      const b = await up(array([10, 20, 30]));
      await broadcastInto(a, (x: number, y: number) => x + 2 * y, a, b);
      expect(Array.from((await collect(a)).data)).toEqual([21, 42, 63]);
    });
  });

  it('keeps JS semantics where WGSL differs: NaN in min/max, 1/0 comparisons, negative bases, %', async () => {
    await scope(async () => {
      const g = await up(array([-2, 0, Number.NaN, 5.5]));
      const fns = [
        (x: number) => Math.max(x, 1),
        (x: number) => (x > 0 ? 1 : 0) + (x === 0 ? 10 : 0),
        (x: number) => x ** 3,
        (x: number) => x % 2,
        (x: number) => (x && 7) || 9,
        (x: number) => Math.round(x),
      ];
      for (const f of fns) {
        const got = Array.from((await collect(await broadcast(f, g))).data);
        const want = Array.from(Float32Array.from([-2, 0, Number.NaN, 5.5].map(f)));
        expect(got).toEqual(want);
      }
    });
  });

  it('reductions: order-dependent lambdas fold in order; empty arrays follow the CPU rules', async () => {
    await scope(async () => {
      const g = await up(array([1, 2, 3, 4]));
      // Not associative: ((1 - 2) - 3) - 4 in order.
      expect(await reduce((a: number, b: number) => a - b, g)).toBe(-8);
      expect(await reduce((a: number, b: number) => a + 2 * b, g, { init: 1 })).toBe(21);
      const e = await up(array([] as number[]));
      expect(await sum(e)).toBe(0);
      await expect(reduce((a: number, b: number) => Math.max(a, b), e)).rejects.toThrow(/empty/);
    });
  });

  it('sums large arrays across many workgroups', async () => {
    await scope(async () => {
      const n = 1_000_003;
      const h = rand([n], { dtype: 'float32', seed: 3 });
      let want = 0;
      for (const v of h.data) want += v;
      expect(Math.abs((await sum(await up(h))) - want) / want).toBeLessThan(1e-5);
    });
  });

  it('reductions of one pass (up to 16384 elements) and of two agree with a float64 loop', async () => {
    await scope(async () => {
      for (const n of [16383, 16384, 16385, 40000]) {
        const h = rand([n], { dtype: 'float32', seed: n });
        h.data[n - 1] = 2; // the largest element is the last one, in the last workgroup's slice
        const g = await up(h);
        let s = 0;
        let q = 0;
        for (const v of h.data) {
          s += v;
          q += v * v;
        }
        expect(Math.abs((await sum(g)) - s) / s, `sum of ${n}`).toBeLessThan(1e-5);
        expect(await max(g), `max of ${n}`).toBe(2);
        expect(Math.abs((await norm(g)) - Math.sqrt(q)) / Math.sqrt(q), `norm of ${n}`).toBeLessThan(1e-5);
        expect(Math.abs((await dot(g, g)) - q) / q, `dot of ${n}`).toBeLessThan(1e-5);
      }
    });
  });

  it('scope frees temporaries but keeps what it returns; dispose and using free at once', async () => {
    const start = gpuMemory().webgpu;
    const kept = await scope(async () => {
      const a = await up(rand([1000], { seed: 1 }));
      const b = await broadcast((x: number) => x * 2, a);
      expect(gpuMemory().webgpu).toBeGreaterThan(start);
      return b;
    });
    expect(kept.disposed).toBe(false);
    expect(gpuMemory().webgpu).toBe(start + 4096);
    kept.dispose();
    kept.dispose();
    expect(gpuMemory().webgpu).toBe(start);
    {
      using g = await up(rand([10], { seed: 2 }));
      expect(gpuMemory().webgpu).toBeGreaterThan(start);
      expect(g.size).toBe(10);
    }
    expect(gpuMemory().webgpu).toBe(start);
    await expect(collect(kept)).rejects.toThrow(/was disposed/);
  });

  it('reuses pooled buffers and compiled pipelines', async () => {
    const b = backend as WebGPUBackend;
    await scope(async () => {
      const a = await up(rand([5000], { seed: 4 }));
      await broadcast((x: number, s: number) => x / s, a, 2);
    });
    // Buffers freed while a batch of commands is open are reused once it is submitted (at the
    // latest at the end of the tick).
    await new Promise((r) => setImmediate(r));
    const pipelines = b.pipelineCount;
    const pooled = b.pool.bytesPooled;
    await scope(async () => {
      const a = await up(rand([5000], { seed: 5 }));
      await broadcast((x: number, s: number) => x / s, a, 3);
    });
    await new Promise((r) => setImmediate(r));
    expect(b.pipelineCount).toBe(pipelines);
    expect(b.pool.bytesPooled).toBe(pooled);
  });

  it('guards scalar indexing unless allowed, globally or in a scope', async () => {
    using g = await up(
      array([
        [1, 2],
        [3, 4],
      ]),
    );
    await expect(g.get(1, 0)).rejects.toThrow(/scalar indexing.*allowScalar/);
    await expect(g.set(5, 0, 0)).rejects.toThrow(/scalar indexing/);
    expect(await allowScalar(() => g.get(1, 0))).toBe(3);
    await allowScalar(async () => {
      await g.set(9, 0, 1);
      expect(await g.get(0, 1)).toBe(9);
    });
    allowScalar(true);
    try {
      expect(await g.get(0, 1)).toBe(9);
      await expect(g.get(2, 0)).rejects.toThrow(/out of bounds/);
    } finally {
      allowScalar(false);
    }
    await expect(g.get(0, 0)).rejects.toThrow(/scalar indexing/);
  });

  // The child runs the built package (npm test builds before vitest runs).
  const built = existsSync(`${root}dist/src/index.js`);
  it.skipIf(!built)(
    `a script that uses the GPU exits on its own${built ? '' : ' (skipped: dist/ not built; run npm run build)'}`,
    () => {
      const script = `
      import { gpu, rand, sum } from './dist/src/index.js';
      const g = await gpu(rand([100], { seed: 1 }), { backend: 'webgpu' });
      console.log('sum', (await sum(g)) > 0);
    `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.signal).toBeNull();
      expect(r.stdout).toContain('sum true');
      expect(r.status).toBe(0);
    },
  );
});
