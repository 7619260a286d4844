// The WebGPU lookahead (kernels/webgpu/lookahead.ts): after a norm, a loop body seen before is
// recorded ahead with the norm read on the device. These cases check that the caller gets exactly
// the arrays its own calls would make (the same bits as with the lookahead off), also when it
// changes something between the norm and the next call, and that nothing made ahead leaks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allowScalar, type GPUArray, gpuMemory, scope } from '../../gpu/index.js';
import type { WebGPUBackend } from '../../kernels/webgpu/backend.js';
import { lookaheadOf } from '../../kernels/webgpu/lookahead.js';
import {
  broadcast,
  broadcastInto,
  collect,
  mapreduce,
  max,
  mul,
  norm,
  rand,
  sum,
} from '../../src/array/index.js';
import { powerMethod } from '../../src/linalg/index.js';
import { probe } from './harness.js';

const { backend, reason } = await probe('webgpu');
if (!backend && process.env.CI === 'true') throw new Error(`WebGPU must start under CI=true: ${reason}`);
const run = backend ? describe : describe.skip;

const divide = (a: number, c: number) => a / c;

/** A matrix and a vector after `steps` steps of the manual's loop, by which the lookahead has learnt it. */
async function afterSteps(n: number, seed: number, steps = 4): Promise<[GPUArray, GPUArray]> {
  const M = (await rand([n, n], { dtype: 'float32', seed, backend: 'webgpu' })) as GPUArray;
  let v = (await rand([n], { dtype: 'float32', seed: seed + 1, backend: 'webgpu' })) as GPUArray;
  for (let i = 0; i < steps; i++) {
    const y = await mul(M, v);
    v = await broadcast(divide, y, await norm(y));
  }
  return [M, v];
}

/** What a step may do after the norm: change something, or pass other arguments. */
type Twist = (y: GPUArray, s: number, M: GPUArray) => Promise<[GPUArray, number]>;

/** The reduction a loop divides by, at step i (the 2-norm unless a case says otherwise). */
type Reduce = (y: GPUArray, i: number) => Promise<number>;

/**
 * The manual's loop for `iters` steps, with `twist` run at step `at` between the norm and the
 * division. Returns every norm, and the final vector's elements.
 */
async function loop(
  iters: number,
  at = -1,
  twist?: Twist,
  reduce: Reduce = (y) => norm(y),
): Promise<{ norms: number[]; v: number[] }> {
  return scope(async () => {
    const M = (await rand([96, 96], { dtype: 'float32', seed: 3, backend: 'webgpu' })) as GPUArray;
    let v = (await rand([96], { dtype: 'float32', seed: 4, backend: 'webgpu' })) as GPUArray;
    const norms: number[] = [];
    for (let i = 0; i < iters; i++) {
      let y = await mul(M, v);
      let s = await reduce(y, i);
      norms.push(s);
      if (i === at && twist) [y, s] = await twist(y, s, M);
      v = await broadcast(divide, y, s);
    }
    return { norms, v: Array.from((await collect(v)).data) };
  });
}

run(`WebGPU lookahead${backend ? '' : ` (skipped: ${reason})`}`, () => {
  const la = lookaheadOf(backend as WebGPUBackend);
  let was = true;
  let before = 0;
  beforeEach(() => {
    la.reset();
    was = la.enabled;
    before = gpuMemory().webgpu;
  });
  afterEach(async () => {
    la.enabled = was;
    // What was made ahead and not asked for is freed once the caller's code yields.
    await new Promise((r) => setImmediate(r));
    expect(gpuMemory().webgpu).toBe(before);
  });

  /** The loop with the lookahead off, then on: both results, and what the lookahead did. */
  async function both(iters: number, at = -1, twist?: Twist) {
    la.enabled = false;
    const off = await loop(iters, at, twist);
    la.enabled = true;
    const s0 = { ...la.stats };
    const on = await loop(iters, at, twist);
    const claimed = la.stats.claimed - s0.claimed;
    return { off, on, claimed, ahead: la.stats.ahead - s0.ahead, wasted: la.stats.wasted - s0.wasted };
  }

  it("the manual's loop gets the same bits, its steps made ahead from the second norm on", async () => {
    const r = await both(12);
    expect(r.on).toEqual(r.off);
    // Step 1 is learnt; the norms of steps 2..12 start the next division and product ahead, and the
    // last product (after the loop) is the only one not asked for.
    expect(r.ahead).toBe(11);
    expect(r.claimed).toBe(21);
    expect(r.wasted).toBe(1);
  });

  for (const p of [1, Number.POSITIVE_INFINITY])
    it(`the loop normalised by norm(y, ${p}) (as PageRank by the 1-norm) is looked ahead too, with the same bits`, async () => {
      la.enabled = false;
      const off = await loop(8, -1, undefined, (y) => norm(y, p));
      la.enabled = true;
      const s0 = { ...la.stats };
      expect(await loop(8, -1, undefined, (y) => norm(y, p))).toEqual(off);
      expect(la.stats.claimed - s0.claimed).toBe(13);
    });

  it('a loop normalised by sum or max (any tree reduction without init) is looked ahead too, with the same bits', async () => {
    for (const reduce of [(y: GPUArray) => sum(y), (y: GPUArray) => max(y)]) {
      la.enabled = false;
      const off = await loop(6, -1, undefined, reduce);
      la.enabled = true;
      const s0 = { ...la.stats };
      expect(await loop(6, -1, undefined, reduce)).toEqual(off);
      // Looked ahead from the second reduction on: 4 full steps and the last division.
      expect(la.stats.claimed - s0.claimed).toBe(9);
    }
    // With an init the value is combined on the host, in float64: not looked ahead.
    const s0 = { ...la.stats };
    await loop(6, -1, undefined, (y) => mapreduce(null, 'sum', y, { init: 0.5 }));
    expect(la.stats.ahead - s0.ahead).toBe(0);
  });

  it('a norm of another p than the trace was learnt with is not taken for it', async () => {
    const reduce: Reduce = (y, i) => norm(y, i < 5 ? 2 : 1);
    la.enabled = false;
    const off = await loop(8, -1, undefined, reduce);
    la.enabled = true;
    la.reset();
    const s0 = { ...la.stats };
    expect(await loop(8, -1, undefined, reduce)).toEqual(off);
    // The 2-norms of steps 2-5 look ahead; the 1-norm of step 6 does not go round that trace but
    // starts learning another, which the 1-norms of steps 7 and 8 look ahead with.
    expect(la.stats.ahead - s0.ahead).toBe(6);
  });

  it('a norm is a float32 value, the number the steps made ahead divide by', async () => {
    const { norms } = await loop(4);
    for (const s of norms) expect(Math.fround(s)).toBe(s);
  });

  const twists: [string, Twist][] = [
    ['the normed vector changed in place', async (y, s) => [await broadcastInto(y, (a) => a * 2, y), s]],
    ['the matrix changed in place', async (y, s, M) => [y, (await broadcastInto(M, (a) => a + 1, M)) && s]],
    ['a different divisor', async (y, s) => [y, s * 3]],
    ['another vector', async (y, s) => [await broadcast((a) => a + 1, y), s]],
    ['an element read in between', async (y, s) => [y, s + 0 * (await allowScalar(() => y.get(0)))]],
    // Writes that are not calls of a step: the calls after them are the ones looked ahead.
    ['an element of the vector set', async (y, s) => [(await allowScalar(() => y.set(7, 3))) ?? y, s]],
    ['an element of the matrix set', async (y, s, M) => [(await allowScalar(() => M.set(-5, 0, 0))) ?? y, s]],
  ];
  for (const [name, twist] of twists)
    it(`${name} between the norm and the division: the same bits as without the lookahead`, async () => {
      const r = await both(10, 5, twist);
      expect(r.on).toEqual(r.off);
      // The lookahead of step 5 was thrown away, and it looked ahead again later.
      expect(r.wasted).toBeGreaterThanOrEqual(2);
      expect(r.claimed).toBeGreaterThan(0);
    });

  it('steps called out of order or at once run as the calls say', async () => {
    const out = async () =>
      scope(async () => {
        const [M, v] = await afterSteps(64, 5);
        // The product first, then the division, both started before either is awaited.
        const y = await mul(M, v);
        const s = await norm(y);
        const [p, q] = await Promise.all([mul(M, y), broadcast(divide, y, s)]);
        return [...(await collect(p)).data, ...(await collect(q)).data];
      });
    la.enabled = false;
    const off = await out();
    la.enabled = true;
    expect(await out()).toEqual(off);
  });

  it('two loops running at once on the one GPU get the same bits as without the lookahead', async () => {
    const two = async () => Promise.all([loop(10), loop(10, 3, async (y, s) => [y, s * 2])]);
    la.enabled = false;
    const off = await two();
    la.enabled = true;
    expect(await two()).toEqual(off);
  });

  it('a disposed vector is refused as without the lookahead', async () => {
    la.enabled = true;
    await scope(async () => {
      const [M, v] = await afterSteps(32, 7);
      const y = await mul(M, v);
      const s = await norm(y);
      y.dispose();
      await expect(broadcast(divide, y, s)).rejects.toThrow(/disposed/);
    });
  });

  it('a step made ahead that fails (its matrix was disposed) frees what was made; the call raises as usual', async () => {
    la.enabled = true;
    const M = (await rand([32, 32], { dtype: 'float32', seed: 11, backend: 'webgpu' })) as GPUArray;
    let v = (await rand([32], { dtype: 'float32', seed: 12, backend: 'webgpu' })) as GPUArray;
    const mine: GPUArray[] = [M, v];
    for (let i = 0; i < 4; i++) {
      const y = await mul(M, v);
      v = await broadcast(divide, y, await norm(y));
      mine.push(y, v);
    }
    const y = await mul(M, v);
    mine.push(y);
    M.dispose();
    const s0 = { ...la.stats };
    // The norm starts the division (which works) and the product (which cannot).
    const s = await norm(y);
    expect(la.stats.ahead - s0.ahead).toBe(1);
    v = await broadcast(divide, y, s);
    mine.push(v);
    await expect(mul(M, v)).rejects.toThrow(/disposed/);
    expect(la.stats.claimed - s0.claimed).toBe(0);
    expect(la.stats.wasted - s0.wasted).toBe(1);
    for (const g of mine) g.dispose();
  });

  it('powerMethod, which never waits for a norm before a product, is not looked ahead', async () => {
    la.enabled = true;
    const s0 = la.stats.ahead;
    await scope(async () => {
      const M = (await rand([64, 64], { dtype: 'float32', seed: 1, backend: 'webgpu' })) as GPUArray;
      const v = (await rand([64], { dtype: 'float32', seed: 2, backend: 'webgpu' })) as GPUArray;
      await powerMethod(M, v, { iters: 30 });
    });
    expect(la.stats.ahead).toBe(s0);
  });

  it('what is made ahead after the last norm is freed when the caller yields, outside any scope', async () => {
    la.enabled = true;
    const base = gpuMemory().webgpu;
    const M = (await rand([48, 48], { dtype: 'float32', seed: 9, backend: 'webgpu' })) as GPUArray;
    let v = (await rand([48], { dtype: 'float32', seed: 10, backend: 'webgpu' })) as GPUArray;
    const made: GPUArray[] = [M, v];
    const s0 = { ...la.stats };
    for (let i = 0; i < 5; i++) {
      const y = await mul(M, v);
      made.push(y);
      v = await broadcast(divide, y, await norm(y));
      made.push(v);
    }
    // The last norm started a division and a product; the division was asked for, the product not.
    expect(la.stats.claimed - s0.claimed).toBe(7);
    await new Promise((r) => setImmediate(r));
    expect(la.stats.wasted - s0.wasted).toBe(1);
    for (const g of made) g.dispose();
    expect(gpuMemory().webgpu).toBe(base);
  });
});
