// The shared array suite on DArrays with CPU chunks, split over two worker processes.
import { afterAll, beforeAll } from 'vitest';
import { addprocs, deye, distribute } from '../../src/index.js';
import { expectNoChunksLeft } from '../integration/darray-leaks.js';
import { removeAllAndCheck } from '../integration/leaks.js';
import { runArraySuite } from './array-suite.js';

let pids: number[] = [];
beforeAll(async () => {
  pids = await addprocs(2);
});
afterAll(async () => {
  await expectNoChunksLeft();
  await removeAllAndCheck();
});

const associative =
  'a distributed reduction combines partial results with the reducer, so it must be associative (as in DistributedArrays.jl); this case uses (s, v) => s + 2 * v';
const skip = {
  'reduce and mapreduce with lambdas float64': associative,
  'reduce and mapreduce with lambdas float32': associative,
  'order-dependent reducer along axes float64': associative.replace('s + 2 * v', 's - v'),
  'order-dependent reducer along axes float32': associative.replace('s + 2 * v', 's - v'),
};

runArraySuite('DArray (cpu chunks, 2 workers)', {
  toBackend: (a) => distribute(a, { procs: pids }),
  backend: 'darray',
  skip,
  eye: (n, o) => deye(n, { ...o, procs: pids }),
});

// Matrices split by columns instead: matvec then runs as a reduce-scatter (darray/mul/cols.ts),
// and every other operation must accept the layout too.
runArraySuite('DArray (cpu chunks, 2 workers, matrices by column blocks)', {
  toBackend: (a) => distribute(a, { procs: pids, dist: a.ndim === 2 ? [1, 2] : undefined }),
  backend: 'darray',
  skip,
  eye: (n, o) => deye(n, { ...o, procs: pids }),
});
