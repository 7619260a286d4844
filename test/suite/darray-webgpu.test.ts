// The shared array suite on DArrays whose chunks are WebGPU GPUArrays, one device per worker
// (lavapipe where there is no GPU). Without an adapter this skips, or fails under CI=true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addprocs,
  collect,
  type DArray,
  distribute,
  gpuMemory,
  isApprox,
  mul,
  rand,
  remotecallFetch,
} from '../../src/index.js';
import { backendOrSkip, GPU_SKIPS } from '../gpu/harness.js';
import { expectNoChunksLeft } from '../integration/darray-leaks.js';
import { removeAllAndCheck } from '../integration/leaks.js';
import { runArraySuite } from './array-suite.js';

const backend = await backendOrSkip('webgpu');

if (backend) {
  describe(`DArray with WebGPU chunks (${backend.device})`, () => {
    let pids: number[] = [];
    beforeAll(async () => {
      pids = await addprocs(2);
    });
    afterAll(async () => {
      await expectNoChunksLeft();
      // Every chunk's GPU buffers were released on its worker.
      const inUse = await Promise.all(pids.map((p) => remotecallFetch(() => gpuMemory().webgpu, p)));
      expect(inUse).toEqual([0, 0]);
      await removeAllAndCheck();
    });
    const lambdaReduce =
      'a distributed reduction combines partial results with the reducer, so it must be associative (as in DistributedArrays.jl); this case uses (s, v) => s + 2 * v';
    runArraySuite('DArray (webgpu chunks, 2 workers)', {
      toBackend: (a) => distribute(a, { procs: pids, backend: 'webgpu' }),
      backend: 'darray',
      dtypes: ['float32'],
      skip: { ...GPU_SKIPS, 'reduce and mapreduce with lambdas float32': lambdaReduce },
    });
    it('matvec of a matrix split by columns: partial products on each GPU, summed between workers', async () => {
      const M = rand([37, 37], { seed: 40, dtype: 'float32' });
      const v = rand([37], { seed: 41, dtype: 'float32' });
      const dM = await distribute(M, { procs: pids, backend: 'webgpu', dist: [1, 2] });
      const dv = await distribute(v, { procs: pids, backend: 'webgpu' });
      const y = (await mul(dM, dv)) as DArray;
      expect(y.cuts[0]).toEqual(dv.cuts[0]);
      expect(await isApprox(await collect(y), await mul(M, v), { rtol: 1e-5 })).toBe(true);
      for (const x of [dM, dv, y]) x.close();
    });
  });
}
