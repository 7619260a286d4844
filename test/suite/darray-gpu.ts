/**
 * Runs the shared array suite on DArrays whose chunks are GPUArrays of one GPU backend, one device
 * per worker, and checks afterwards that no chunk and no GPU memory is left on any worker. Without
 * the backend this skips, or fails under CI=true (see backendOrSkip).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  addprocs,
  deye,
  distribute,
  type GPUBackendName,
  gpuMemory,
  remotecallFetch,
} from '../../src/index.js';
import { backendOrSkip, GPU_SKIPS } from '../gpu/harness.js';
import { expectNoChunksLeft } from '../integration/darray-leaks.js';
import { removeAllAndCheck } from '../integration/leaks.js';
import { runArraySuite } from './array-suite.js';

const lambdaReduce =
  'a distributed reduction combines partial results with the reducer, so it must be associative (as in DistributedArrays.jl); this case uses (s, v) => s + 2 * v';

/**
 * Defines the suite for DArrays with `name` chunks on 2 workers; `more(pids)` adds cases of the
 * backend's own inside the same describe (the workers are up when they run).
 */
export async function darrayGpuSuite(
  name: GPUBackendName,
  more?: (pids: () => number[]) => void,
): Promise<void> {
  const backend = await backendOrSkip(name);
  if (!backend) return;
  describe(`DArray with ${name} chunks (${backend.device})`, () => {
    let pids: number[] = [];
    beforeAll(async () => {
      pids = await addprocs(2);
    });
    afterAll(async () => {
      await expectNoChunksLeft();
      // Every chunk's GPU memory was released on its worker.
      const inUse = await Promise.all(
        pids.map((p) => remotecallFetch((b: GPUBackendName) => gpuMemory()[b], p, name)),
      );
      expect(inUse).toEqual([0, 0]);
      await removeAllAndCheck();
    });
    runArraySuite(`DArray (${name} chunks, 2 workers)`, {
      toBackend: (a) => distribute(a, { procs: pids, backend: name }),
      backend: 'darray',
      dtypes: ['float32'],
      skip: {
        ...GPU_SKIPS,
        'reduce and mapreduce with lambdas float32': lambdaReduce,
        'order-dependent reducer along axes float32': lambdaReduce.replace('s + 2 * v', 's - v'),
      },
      eye: (n, o) => deye(n, { ...o, procs: pids, backend: name }),
    });
    more?.(() => pids);
  });
}
