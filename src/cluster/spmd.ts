/**
 * SPMD start-up (dask-mpi's `initialize`, MPIClusterManagers' `start_main_loop`): the same script
 * runs as every rank of srun, mpirun or a Kubernetes Indexed Job. Rank 0 becomes the master
 * (process 1) with every other rank added as a worker; the other ranks serve as workers and exit
 * when rank 0 is done. The launcher only places and starts the processes: the ranks find each
 * other from its environment (launch-env.ts) and authenticate with a shared cookie (spmd-cookie.ts).
 */
import { ArgumentError, describe } from '../errors.js';
import { clusterCookie } from './cookie.js';
import { detectLaunch, type Launcher, rendezvousPort } from './launch-env.js';
import { addprocs } from './processes.js';
import { removeGenerated, spmdCookie } from './spmd-cookie.js';
import { SpmdManager } from './spmd-manager.js';
import { gatherRanks, reportToRankZero } from './spmd-rendezvous.js';
import { state, type Topology } from './state.js';
import { startWorker } from './worker.js';

/** Options of {@link initialize}. */
export interface InitializeOptions {
  /**
   * Seconds every rank waits for the others during start-up (default: env DARRAY_TIMEOUT, else 60).
   * A rank that has not connected by then is named in rank 0's error.
   */
  timeout?: number;
  /** The cluster's topology, as for addprocs (default 'all_to_all'). */
  topology?: Topology;
  /** As for addprocs: connect workers to each other only when first needed (default true). */
  lazy?: boolean;
}

/** What rank 0's initialize() returns. */
export interface SpmdInfo {
  /** The launcher the environment shows ('none' when the script was run alone). */
  launcher: Launcher;
  /** Always 0: only rank 0 returns. */
  rank: number;
  /** Number of ranks, rank 0 included (nprocs()). */
  size: number;
  /** Rank 0's rank on its node. */
  localRank: number;
  /** The workers' ids; rank r is process r + 1. */
  pids: number[];
}

let started = false;

/**
 * Forms the cluster from the processes a launcher started. Returns on rank 0 only, as process 1
 * with the other ranks as its workers; on every other rank it never returns: the process serves
 * as a worker and exits (code 0) when rank 0 is done, or (code 1) if start-up fails.
 *
 * @example
 * // srun -n 4 node job.js   |   mpirun -n 4 node job.js
 * const { size } = await initialize();
 * console.log(await sum(await drand([1000], { procs: workers() })), size);
 */
export async function initialize(opts: InitializeOptions = {}): Promise<SpmdInfo> {
  if (started || state.isWorker || state.peers.size > 0) {
    throw new ArgumentError(
      'initialize: call it once, at the top of the script, before any addprocs (this process already ' +
        `${state.isWorker ? 'is a worker' : started ? 'called initialize()' : 'has workers'})`,
    );
  }
  const timeoutS = opts.timeout ?? (process.env.DARRAY_TIMEOUT ? Number(process.env.DARRAY_TIMEOUT) : 60);
  if (typeof timeoutS !== 'number' || !(timeoutS > 0)) {
    throw new ArgumentError(
      `initialize: timeout must be a positive number of seconds, got ${describe(opts.timeout ?? process.env.DARRAY_TIMEOUT)}`,
    );
  }
  started = true;
  const info = detectLaunch();
  if (info.size === 1) {
    return { launcher: info.launcher, rank: 0, size: 1, localRank: info.localRank, pids: [] };
  }
  const timeoutMs = timeoutS * 1000;
  const deadline = Date.now() + timeoutMs;
  const port = rendezvousPort(info);
  const secret = await spmdCookie(info, deadline);
  if (info.rank !== 0) {
    const master = info.singleNode ? '127.0.0.1' : info.master;
    if (!master) {
      throw new ArgumentError(
        `initialize: rank ${info.rank} does not know where rank 0 runs: the ${info.launcher} launch spans ` +
          "several hosts; set DARRAY_MASTER to rank 0's host name or address on every rank",
      );
    }
    const { port: workerPort } = await startWorker({
      cookie: secret.cookie,
      restrict: info.singleNode,
      stderrToStdout: false,
      announce: false,
    });
    await reportToRankZero(info, secret.cookie, master, port, workerPort, deadline);
    // Served as a worker from here on; initWorker's hook exits the process when rank 0 goes.
    return new Promise<never>(() => {});
  }
  clusterCookie(secret.cookie);
  process.once('exit', () => removeGenerated(secret));
  let gathered: Awaited<ReturnType<typeof gatherRanks>>;
  try {
    gathered = await gatherRanks(info, secret.cookie, port, timeoutMs);
  } finally {
    removeGenerated(secret);
  }
  const manager = new SpmdManager(gathered.ranks);
  try {
    const pids = await addprocs(manager, {
      topology: opts.topology,
      lazy: opts.lazy,
      timeout: Math.max(1, (deadline - Date.now()) / 1000),
    });
    return { launcher: info.launcher, rank: 0, size: info.size, localRank: info.localRank, pids };
  } catch (err) {
    const missing = manager.missing();
    throw new Error(
      `initialize: ${missing.length === 1 ? 'rank' : 'ranks'} ${missing.join(', ')} did not join: ${(err as Error).message}`,
    );
  } finally {
    gathered.close();
  }
}
