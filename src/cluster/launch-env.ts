/**
 * What a parallel launcher (srun, mpirun/mpiexec, a Kubernetes Indexed Job) tells each process it
 * starts: its rank, the number of ranks, its rank on its node, and where rank 0 can be reached.
 * Read from the environment only, so that no MPI binding is needed.
 */
import { hostname } from 'node:os';
import { ArgumentError } from '../errors.js';
import { expandHostlist } from './hostlist.js';

/** The launcher a process was started by, as far as its environment shows. */
export type Launcher = 'darray' | 'openmpi' | 'pmix' | 'pmi' | 'slurm' | 'kubernetes' | 'none';

/** This process's place in a launch. */
export interface LaunchInfo {
  launcher: Launcher;
  /** 0-based rank of this process among `size`. */
  rank: number;
  size: number;
  /** Rank among the processes of this node (which GPU to use), 0 when unknown. */
  localRank: number;
  /**
   * Whether every rank runs on this node: rank 0 then listens on 127.0.0.1 only and the workers
   * bind to 127.0.0.1.
   */
  singleNode: boolean;
  /** Where rank 0 listens, when the environment says (DARRAY_MASTER, or the first Slurm node). */
  master?: string;
  /** A string that every rank of this launch shares and other launches do not (for the port and cookie file). */
  jobKey?: string;
}

type Env = Record<string, string | undefined>;

/** Default rendezvous port, and the width of the range a job key picks a port from. */
export const BASE_PORT = 9000;
const PORT_SPAN = 1000;

/**
 * Reads the launch from `env`. Explicit DARRAY_RANK/DARRAY_WORLD_SIZE come first, then MPI's
 * variables (mpirun inside an sbatch script inherits the batch step's SLURM_* variables, which
 * then describe the wrong processes), then a Slurm step, then a Kubernetes Indexed Job.
 */
export function detectLaunch(env: Env = process.env): LaunchInfo {
  const master = env.DARRAY_MASTER || undefined;
  const explicit = pick(env, 'DARRAY_RANK', 'DARRAY_WORLD_SIZE');
  if (explicit) {
    return finish(env, {
      launcher: 'darray',
      ...explicit,
      localRank: int(env, 'DARRAY_LOCAL_RANK') ?? 0,
      singleNode: master === undefined || master === '127.0.0.1' || master === 'localhost',
      master,
      jobKey: env.DARRAY_JOB_KEY,
    });
  }
  const ompi = pick(env, 'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE');
  if (ompi) {
    const localSize = int(env, 'OMPI_COMM_WORLD_LOCAL_SIZE');
    return finish(env, {
      launcher: 'openmpi',
      ...ompi,
      localRank: int(env, 'OMPI_COMM_WORLD_LOCAL_RANK') ?? 0,
      singleNode: localSize === ompi.size,
      master,
      jobKey: env.PMIX_NAMESPACE ?? env.OMPI_MCA_ess_base_jobid,
    });
  }
  const pmix = pick(env, 'PMIX_RANK', 'PMIX_SIZE');
  if (pmix) {
    const localSize = int(env, 'PMIX_LOCAL_SIZE');
    return finish(env, {
      launcher: 'pmix',
      ...pmix,
      localRank: int(env, 'PMIX_LOCAL_RANK') ?? 0,
      singleNode: localSize === pmix.size,
      master,
      jobKey: env.PMIX_NAMESPACE,
    });
  }
  const pmi = pick(env, 'PMI_RANK', 'PMI_SIZE');
  if (pmi) {
    // MPICH's Hydra: MPI_LOCALRANKID and MPI_LOCALNRANKS describe this node.
    const localSize = int(env, 'MPI_LOCALNRANKS');
    return finish(env, {
      launcher: 'pmi',
      ...pmi,
      localRank: int(env, 'MPI_LOCALRANKID') ?? int(env, 'PMI_LOCAL_RANK') ?? 0,
      singleNode: localSize === pmi.size,
      master,
      jobKey: env.PMI_KVSNAME,
    });
  }
  // SLURM_STEP_NUM_TASKS is set by srun only: a batch script that runs `node job.js` directly is
  // one process, whatever SLURM_NTASKS says.
  const slurm = env.SLURM_STEP_NUM_TASKS ? pick(env, 'SLURM_PROCID', 'SLURM_STEP_NUM_TASKS') : undefined;
  if (slurm) {
    const nodes = env.SLURM_STEP_NODELIST ?? env.SLURM_JOB_NODELIST ?? env.SLURM_NODELIST;
    const numNodes = int(env, 'SLURM_STEP_NUM_NODES') ?? (nodes ? expandHostlist(nodes).length : undefined);
    const singleNode = numNodes === 1;
    // Slurm's default block distribution puts task 0 on the step's first node.
    const first = nodes ? expandHostlist(nodes)[0] : undefined;
    return finish(env, {
      launcher: 'slurm',
      ...slurm,
      localRank: int(env, 'SLURM_LOCALID') ?? 0,
      singleNode,
      master: master ?? (singleNode ? undefined : first),
      jobKey: env.SLURM_JOB_ID ? `slurm-${env.SLURM_JOB_ID}.${env.SLURM_STEP_ID ?? ''}` : undefined,
    });
  }
  const index = int(env, 'JOB_COMPLETION_INDEX');
  if (index !== undefined) {
    const size = int(env, 'DARRAY_WORLD_SIZE');
    if (size === undefined) {
      throw new ArgumentError(
        'initialize: this looks like a Kubernetes Indexed Job (JOB_COMPLETION_INDEX is set), but ' +
          "DARRAY_WORLD_SIZE is not; set it to the Job's completions (spec.completions) in the pod template",
      );
    }
    return finish(env, {
      launcher: 'kubernetes',
      rank: index,
      size,
      localRank: 0,
      singleNode: false,
      master: master ?? kubernetesMaster(env),
      jobKey: undefined,
    });
  }
  return { launcher: 'none', rank: 0, size: 1, localRank: 0, singleNode: true, master };
}

/**
 * Rank 0's address in an Indexed Job: pods are named `<job>-<index>` and, with the pod template's
 * `subdomain` set to a headless Service, reachable as `<job>-0.<service>`.
 */
function kubernetesMaster(env: Env): string | undefined {
  const service = env.DARRAY_SERVICE;
  const host = env.HOSTNAME ?? hostname();
  const m = /^(.*)-\d+$/.exec(host);
  if (!service || !m) return undefined;
  return `${m[1]}-0.${service}`;
}

/**
 * The port rank 0 listens on: DARRAY_PORT, else one in 9000–9999 picked by the job key (the same
 * on every rank, and usually different for two jobs sharing a node), else 9000.
 */
export function rendezvousPort(info: LaunchInfo, env: Env = process.env): number {
  const given = env.DARRAY_PORT;
  if (given !== undefined && given !== '') {
    const p = Number(given);
    if (!Number.isInteger(p) || p < 1 || p > 65535) {
      throw new ArgumentError(`initialize: DARRAY_PORT must be a port number 1–65535, got '${given}'`);
    }
    return p;
  }
  return info.jobKey ? BASE_PORT + (fnv1a(info.jobKey) % PORT_SPAN) : BASE_PORT;
}

/** FNV-1a, 32 bits: a small stable hash, identical on every rank. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

let cached: LaunchInfo | undefined;

/**
 * This process's rank on its node under srun, mpirun or another launcher (SLURM_LOCALID,
 * OMPI_COMM_WORLD_LOCAL_RANK, MPI_LOCALRANKID, PMIX_LOCAL_RANK…); 0 when not launched so.
 *
 * @example const rank = localRank() // pick the GPU or the core to use
 */
export function localRank(): number {
  cached ??= safeDetect();
  return cached.localRank;
}

function safeDetect(): LaunchInfo {
  try {
    return detectLaunch();
  } catch {
    return { launcher: 'none', rank: 0, size: 1, localRank: 0, singleNode: true };
  }
}

function finish(env: Env, info: LaunchInfo): LaunchInfo {
  if (info.rank >= info.size) {
    throw new ArgumentError(
      `initialize: this process's rank ${info.rank} is not below the number of ranks ${info.size} ` +
        `(read from the ${info.launcher} launcher's environment); check the launcher's variables`,
    );
  }
  if (env.DARRAY_MASTER && info.launcher !== 'none') info.master = env.DARRAY_MASTER;
  return info;
}

/** Reads a rank and a size; undefined when the rank variable is absent. */
function pick(env: Env, rankVar: string, sizeVar: string): { rank: number; size: number } | undefined {
  const rank = int(env, rankVar);
  if (rank === undefined) return undefined;
  const size = int(env, sizeVar);
  if (size === undefined || size < 1) {
    throw new ArgumentError(
      `initialize: ${rankVar} is set (${rank}) but ${sizeVar} is ${env[sizeVar] === undefined ? 'not' : `'${env[sizeVar]}', not a positive integer`}; ` +
        'both come from the launcher: run under it, or set DARRAY_RANK and DARRAY_WORLD_SIZE',
    );
  }
  return { rank, size };
}

function int(env: Env, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new ArgumentError(`initialize: ${name} must be a non-negative integer, got '${v}'`);
  }
  return n;
}
