// The shared array suite on DArrays whose chunks are WebGPU GPUArrays, one device per worker
// (lavapipe where there is no GPU). Without an adapter this skips, or fails under CI=true.
import { expect, it } from 'vitest';
import { collect, type DArray, distribute, isApprox, mul, rand } from '../../src/index.js';
import { darrayGpuSuite } from './darray-gpu.js';

await darrayGpuSuite('webgpu', (pids) => {
  it('matvec of a matrix split by columns: partial products on each GPU, summed between workers', async () => {
    const M = rand([37, 37], { seed: 40, dtype: 'float32' });
    const v = rand([37], { seed: 41, dtype: 'float32' });
    const dM = await distribute(M, { procs: pids(), backend: 'webgpu', dist: [1, 2] });
    const dv = await distribute(v, { procs: pids(), backend: 'webgpu' });
    const y = (await mul(dM, dv)) as DArray;
    expect(y.cuts[0]).toEqual(dv.cuts[0]);
    expect(await isApprox(await collect(y), await mul(M, v), { rtol: 1e-5 })).toBe(true);
    for (const x of [dM, dv, y]) x.close();
  });
});
