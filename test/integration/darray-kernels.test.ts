// DArray owners run their chunks' ops through the op registry, so a DArray is generic over its chunk
// type: the block products of a matvec are the chunk backend's `matvecBlock` kernel where it has
// one, and its `mul` where it has none, with the same result.
import { describe, expect, it } from 'vitest';
import {
  type AnyArray,
  type ColumnBlock,
  collect,
  distribute,
  getKernel,
  isApprox,
  mul,
  rand,
  registerKernel,
  remotecallFetch,
  unregisterKernel,
} from '../../src/index.js';
import { useTwoWorkers } from './two-workers.js';

const cluster = useTwoWorkers({ chunks: true });
const pids = () => [cluster.p2, cluster.p3];

type Counted = { blockCalls?: number; blockKernel?: unknown };

/** On each worker: wraps the CPU matvecBlock kernel so that its calls are counted. */
async function countBlockCalls(): Promise<void> {
  await Promise.all(
    pids().map((p) =>
      remotecallFetch(() => {
        const g = globalThis as Counted;
        const k = getKernel('matvecBlock', 'cpu');
        g.blockKernel = k;
        g.blockCalls = 0;
        registerKernel('matvecBlock', 'cpu', (a: AnyArray, x: AnyArray, y: AnyArray, b: ColumnBlock) => {
          g.blockCalls = (g.blockCalls ?? 0) + 1;
          return k(a, x, y, b);
        });
      }, p),
    ),
  );
}

const blockCalls = () =>
  Promise.all(pids().map((p) => remotecallFetch(() => (globalThis as Counted).blockCalls ?? 0, p)));

/** The product of M and v distributed by rows or by column blocks, checked against the host's. */
async function checkProduct(dist: 'rows' | 'columns', alpha: number): Promise<void> {
  const M = rand([64, 48], { seed: 1 });
  const v = rand([48], { seed: 2 });
  const dM = await distribute(M, { procs: pids(), dist: dist === 'rows' ? [2, 1] : [1, 2] });
  const dv = await distribute(v, { procs: pids() });
  const y = await mul(dM, dv, { alpha });
  expect(await isApprox(await collect(y), await mul(M, v, { alpha }), { rtol: 1e-12 })).toBe(true);
  for (const x of [dM, dv, y]) x.dispose();
}

describe('DArray owners call the chunk backend through the registry', () => {
  it('row blocks with the vector split like the rows stream matvecBlock calls on every owner', async () => {
    await countBlockCalls();
    await checkProduct('rows', -0.5);
    for (const n of await blockCalls()) expect(n).toBeGreaterThan(0);
  });

  it('column blocks compute their partial rows with matvecBlock on every owner', async () => {
    await countBlockCalls();
    await checkProduct('columns', 2);
    for (const n of await blockCalls()) expect(n).toBeGreaterThan(0);
  });

  it('without a matvecBlock kernel both plans take the backend’s mul and give the same product', async () => {
    await countBlockCalls();
    await Promise.all(pids().map((p) => remotecallFetch(() => unregisterKernel('matvecBlock', 'cpu'), p)));
    try {
      await checkProduct('rows', -0.5);
      await checkProduct('columns', 2);
      expect(await blockCalls()).toEqual([0, 0]);
    } finally {
      await Promise.all(
        pids().map((p) =>
          remotecallFetch(() => {
            registerKernel('matvecBlock', 'cpu', (globalThis as Counted).blockKernel as never);
          }, p),
        ),
      );
    }
  });
});
