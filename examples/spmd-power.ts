/**
 * An SPMD job: the same script runs as every rank of srun, mpirun or a Kubernetes Indexed Job.
 * Rank 0 returns from initialize() as the master with every other rank as a worker, distributes a
 * matrix over them and runs the power method on it; the other ranks serve until it is done.
 * Run: npm run build && srun -n 4 node dist/examples/spmd-power.js [n]
 *      (or mpirun -n 4 node dist/examples/spmd-power.js; see spmd-sbatch.sh, spmd-mpirun.sh, spmd-k8s.yaml)
 */
import {
  collect,
  distribute,
  initialize,
  isApprox,
  localRank,
  nworkers,
  powerMethod,
  rand,
} from '../src/index.js';

const { launcher, size } = await initialize();
const n = Number(process.argv[2] ?? 256);
const M = rand([n, n], { seed: 1 });
const v = rand([n], { seed: 2 });
const dM = await distribute(M);
const dv = await distribute(v);
const [dx, lambda] = await powerMethod(dM, dv, { iters: 200 });
const [hostV, hostLambda] = await powerMethod(M, v, { iters: 200 });
const agrees =
  Math.abs(lambda - hostLambda) < 1e-9 * hostLambda && (await isApprox(await collect(dx), hostV));
console.log(
  `${launcher}: ${size} ranks, ${nworkers()} workers (rank 0 on local rank ${localRank()}); ` +
    `dominant eigenvalue of a ${n}×${n} matrix: ${lambda.toFixed(6)}${agrees ? ' (matches one process)' : ' (DIFFERS from one process)'}`,
);
for (const x of [dM, dv, dx]) x.close();
