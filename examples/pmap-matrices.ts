/**
 * The manual's pmap example: a list of random matrices, and for each its largest eigenvalue
 * magnitude by the power method, one matrix per call, spread over the workers.
 * Run: npm run build && node dist/examples/pmap-matrices.js
 */
import { addprocs, pmap, rand, rmprocs } from '../src/index.js';

const pids = await addprocs(2);
const matrices = Array.from({ length: 8 }, (_, i) => rand([200, 200], { seed: i + 1 }));
const t0 = performance.now();
const lambdas = await pmap(
  async (M: ReturnType<typeof rand>) => {
    const [, lambda] = await powerMethod(M, ones([M.shape[0] as number]), { iters: 50 });
    return lambda;
  },
  matrices,
  { progress: true },
);
console.log(`dominant eigenvalues: ${lambdas.map((l) => l.toFixed(3)).join(', ')}`);
console.log(
  `${matrices.length} matrices in ${(performance.now() - t0).toFixed(0)} ms on ${pids.length} workers`,
);
await rmprocs(pids);

declare function powerMethod(M: unknown, v: unknown, opts: { iters: number }): Promise<[unknown, number]>;
declare function ones(shape: number[]): unknown;
