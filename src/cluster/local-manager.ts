/** LocalManager: starts workers as Node processes on this machine (Julia's LocalManager). */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { ArgumentError } from '../errors.js';
import { bindArgs } from './bind.js';
import type { ClusterManager, LaunchParams, ManageOp, WorkerConfig } from './manager.js';

/**
 * Starts `count` workers as child `node` processes of this one, handing each the cookie on stdin
 * (never on the command line). `addprocs(n)` is `addprocs(new LocalManager(n))`. Each worker's
 * kernels use one thread unless DARRAY_THREADS is set in addprocs's `env`.
 *
 * @example const pids = await addprocs(new LocalManager(4), { env: { DARRAY_THREADS: '2' } })
 */
export class LocalManager implements ClusterManager {
  readonly name = 'local';

  /** @param count how many workers to start */
  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 1) {
      throw new ArgumentError(
        `LocalManager: expected a positive integer number of workers, got ${String(count)}`,
      );
    }
  }

  async launch(params: LaunchParams): Promise<WorkerConfig[]> {
    const configs: WorkerConfig[] = [];
    for (let i = 0; i < this.count; i++) {
      const args = [...params.exeflags, params.workerScript];
      args.push(...bindArgs(params));
      const child = spawn(params.exename, args, {
        cwd: params.dir,
        // Like Julia's workers (one thread each unless asked), a worker's kernels use one thread by
        // default, so n workers on n cores do not oversubscribe them; env DARRAY_THREADS overrides.
        env: { ...process.env, DARRAY_THREADS: '1', ...params.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      // The cookie goes over stdin so that it never shows in the process list.
      child.stdin.write(`${params.cookie}\n`);
      child.stdin.on('error', () => {});
      configs.push({ process: child, io: child.stdout, err: child.stderr });
    }
    return configs;
  }

  manage(_pid: number, config: WorkerConfig, op: ManageOp): void {
    if (op === 'interrupt') config.process?.kill('SIGINT');
    if (op === 'register') {
      // An idle master must be free to exit; the worker follows when its stdin closes.
      config.process?.unref();
      for (const s of [config.process?.stdin, config.process?.stdout, config.process?.stderr]) {
        (s as unknown as Socket | null | undefined)?.unref?.();
      }
    }
  }

  async kill(_pid: number, config: WorkerConfig): Promise<void> {
    const p = config.process;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
}
