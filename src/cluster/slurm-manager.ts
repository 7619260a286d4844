/**
 * SlurmManager: adds workers inside a Slurm allocation (salloc, sbatch) as the tasks of one
 * `srun --overlap` job step, as SlurmClusterManager.jl does. The cookie reaches every task on
 * stdin (`--input=all`), never on a command line or in the environment; each task's address is
 * read from srun's output, whose lines `--label` prefixes with the task number.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { ArgumentError, describe } from '../errors.js';
import { bindArgs } from './bind.js';
import type { ClusterManager, LaunchParams, ManageOp, WorkerConfig } from './manager.js';
import { logLine } from './mesh.js';

/** Options of {@link SlurmManager}. */
export interface SlurmManagerOptions {
  /** Number of workers (srun tasks); default: the allocation's SLURM_NTASKS. */
  ntasks?: number;
  /** Extra srun flags, e.g. ['--gpus-per-task=1', '--cpus-per-task=4']. */
  srunFlags?: string[];
  /** The srun executable (default 'srun' on the PATH). */
  srun?: string;
}

interface TaskData {
  task: number;
  step: Step;
}

/** One srun process and the workers it runs. */
interface Step {
  child: ChildProcess;
  live: number;
}

/**
 * Starts workers as the tasks of one `srun` job step inside the current Slurm allocation; by
 * default one per allocated task. Throws at construction outside an allocation (no SLURM_JOB_ID).
 * Workers bind every interface unless the allocation is on one node.
 *
 * @example
 * // salloc -N 2 -n 8 node job.js
 * const pids = await addprocs(new SlurmManager({ srunFlags: ['--cpus-per-task=4'] }));
 */
export class SlurmManager implements ClusterManager {
  readonly name = 'slurm';
  readonly ntasks: number;
  readonly srunFlags: string[];
  private readonly srun: string;

  constructor(opts: SlurmManagerOptions = {}) {
    const jobId = process.env.SLURM_JOB_ID;
    if (!jobId) {
      throw new ArgumentError(
        'SlurmManager: not inside a Slurm allocation (SLURM_JOB_ID is not set); run the script under ' +
          'salloc (salloc -n 4 node master.js) or from an sbatch script, or start local workers with addprocs(n)',
      );
    }
    const n = opts.ntasks ?? Number(process.env.SLURM_NTASKS ?? process.env.SLURM_NPROCS);
    if (!Number.isInteger(n) || n < 1) {
      throw new ArgumentError(
        `SlurmManager: ntasks must be a positive integer, got ${describe(opts.ntasks ?? process.env.SLURM_NTASKS)}; ` +
          'pass { ntasks } or allocate with salloc -n N',
      );
    }
    const flags = opts.srunFlags ?? [];
    if (!Array.isArray(flags) || !flags.every((f) => typeof f === 'string')) {
      throw new ArgumentError(`SlurmManager: srunFlags must be an array of strings, got ${describe(flags)}`);
    }
    this.ntasks = n;
    this.srunFlags = flags;
    this.srun = opts.srun ?? 'srun';
  }

  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    // Workers on other nodes must be reachable: bind every interface unless the allocation is one node.
    const oneNode = process.env.SLURM_JOB_NUM_NODES === '1' || process.env.SLURM_NNODES === '1';
    const args = [
      '--overlap',
      `--ntasks=${this.ntasks}`,
      '--kill-on-bad-exit=1',
      '--label',
      '--unbuffered',
      '--input=all',
      `--chdir=${params.dir}`,
      ...this.srunFlags,
      params.exename,
      ...params.exeflags,
      params.workerScript,
    ];
    if (params.bindTo !== undefined || params.interface !== undefined) args.push(...bindArgs(params));
    else if (!params.restrict || !oneNode) args.push('--bind-all');
    const child = spawn(this.srun, args, {
      cwd: params.dir,
      env: { ...process.env, DARRAY_THREADS: process.env.DARRAY_THREADS ?? '1', ...params.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const step: Step = { child, live: this.ntasks };
    const outs = Array.from({ length: this.ntasks }, () => new PassThrough());
    const errs = Array.from({ length: this.ntasks }, () => new PassThrough());
    const own: string[] = [];
    demux(child.stdout, outs, own);
    demux(child.stderr, errs, own);
    child.once('error', (err) => own.push(`could not run ${this.srun}: ${err.message}`));
    child.once('close', (code, signal) => {
      // srun's own messages (no task label) explain a step that failed; workers still starting get them.
      if (code !== 0 || own.length > 0) {
        const why = `srun ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
        const tail = own.slice(-5).join('\n');
        for (const e of errs) e.write(`${why}${tail ? `:\n${tail}` : ''}\n`);
      }
      for (const s of [...outs, ...errs]) s.end();
    });
    // With --input=all, srun copies this line to every task's stdin; the workers exit when it closes.
    child.stdin?.write(`${params.cookie}\n`);
    child.stdin?.on('error', () => {});
    return outs.map((io, task) => ({ io, err: errs[task], userdata: { task, step } satisfies TaskData }));
  }

  manage(pid: number, config: WorkerConfig, op: ManageOp): void {
    const { step } = config.userdata as TaskData;
    if (op === 'interrupt') {
      // Slurm signals the tasks of a step together; there is no way to reach one task alone.
      logLine(
        `darray: warning: interrupt: SlurmManager cannot signal worker ${pid} alone (Slurm signals a whole step)`,
      );
    }
    if (op === 'register') {
      // An idle master must be free to exit; the tasks follow when srun's stdin closes.
      step.child.unref();
      for (const s of [step.child.stdin, step.child.stdout, step.child.stderr]) {
        (s as unknown as Socket | null)?.unref?.();
      }
    }
    if (op === 'deregister' && --step.live === 0) step.child.stdin?.end();
  }

  /** Ends the srun step of a worker that would not exit: Slurm stops every task of that step. */
  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    const { step } = config.userdata as TaskData;
    if (step.child.exitCode === null && step.child.signalCode === null) step.child.kill('SIGKILL');
  }
}

/**
 * Splits srun's `--label`led output (`  2: text`) into one stream per task. Lines without a label
 * are srun's own messages: printed once on this process's stderr and kept in `own`.
 */
function demux(input: NodeJS.ReadableStream | null, byTask: PassThrough[], own: string[]): void {
  if (!input) return;
  const rl = createInterface({ input });
  rl.on('line', (line) => {
    const m = /^\s*(\d+): ?(.*)$/.exec(line);
    const target = m ? byTask[Number(m[1])] : undefined;
    if (m && target) {
      target.write(`${m[2]}\n`);
      return;
    }
    process.stderr.write(`${line}\n`);
    own.push(line);
  });
}
