#!/usr/bin/env node
/**
 * The `darray` command line: `darray run` runs a script on a cluster (Julia's `julia -p N -L file`),
 * `darray power` runs the main job, `darray worker` starts a worker.
 */
import '../index.js';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { GPUBackendName } from '../../gpu/backend.js';
import { gpuBackend } from '../../gpu/select.js';
import { chunkBackends } from '../array/backend.js';
import { DTYPES } from '../array/dtype.js';
import { startWorker } from '../cluster/worker.js';
import { autoBackend } from './auto-backend.js';
import { defaultWorkers, runPowerJob } from './power.js';
import { runScript } from './run.js';

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, got '${value}'`);
  return n;
};

/** `-p N` or `-p auto` (one worker per core), as Julia's -p. */
const procCount = (value: string): number =>
  value === 'auto' ? cpus().length : positiveInt('the worker count')(value);

const appendTo = (value: string, previous: string[]): string[] => [...previous, value];

/** Prints one line, without a stack, and exits non-zero: for errors a user can fix. */
function die(command: string, e: unknown): never {
  process.stderr.write(`darray ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

const { version } = createRequire(import.meta.url)('darray/package.json') as { version: string };

const program = new Command('darray')
  .description('Julia-style distributed computing for Node.js')
  .version(version, '-v, --version', 'print the version of darray')
  .enablePositionalOptions();

program
  .command('run')
  .description(
    "run a script as process 1 with workers started and modules loaded on every process (Julia's julia -p N -L file script)",
  )
  .argument('<script>', 'the script to run (ESM)')
  .argument('[args...]', 'arguments for the script (its process.argv.slice(2))')
  .option('-p, --procs <n>', "local workers to start, or 'auto' for one per core", procCount, 0)
  .option(
    '--machine-file <file>',
    "start workers over ssh on the machines listed in <file>, one '[count*][user@]host[:port] [bind_addr[:port]]' a line",
  )
  .option('--sshflags <flags>', "extra ssh flags for --machine-file, e.g. '-i ~/.ssh/cluster'")
  .option('-L, --load <module>', 'a module to load on every process first (repeatable)', appendTo, [])
  .passThroughOptions()
  .action(
    async (
      script: string,
      args: string[],
      o: { procs: number; load: string[]; machineFile?: string; sshflags?: string },
    ) => {
      await runScript({ ...o, script, args });
    },
  );

// Only the floating-point dtypes make sense for a power method.
const FLOAT_DTYPES = DTYPES.filter((d) => d.startsWith('float'));

program
  .command('power')
  .description(
    'the main job: power method on a random n×n DArray across local workers (CPU chunks in column blocks, GPU chunks in row blocks)',
  )
  .option('-n, --n <n>', 'matrix size', positiveInt('n'), 4096)
  .option('-w, --workers <count>', 'number of local workers', positiveInt('workers'), defaultWorkers())
  .option('-i, --iters <count>', 'iterations', positiveInt('iters'), 100)
  .addOption(
    new Option('--dtype <dtype>', 'element type (GPU chunks always compute in float32)')
      .choices(FLOAT_DTYPES)
      .default('float64'),
  )
  .option('--seed <seed>', 'random seed', positiveInt('seed'), 1)
  .addOption(
    new Option('--backend <backend>', "where chunks live; 'auto' takes a hardware GPU if WebGPU finds one")
      .choices([...chunkBackends(), 'auto'])
      .default('auto'),
  )
  .action(
    async (o: {
      n: number;
      workers: number;
      iters: number;
      dtype: 'float64' | 'float32';
      seed: number;
      backend: string;
    }) => {
      let backend = o.backend;
      if (backend === 'auto') backend = await autoBackend();
      else if (backend !== 'cpu') {
        // A GPU backend that cannot start here fails in one line, before any worker starts.
        await gpuBackend(backend as GPUBackendName).catch((e: unknown) =>
          die('power', `--backend ${backend}: ${e instanceof Error ? e.message : String(e)}`),
        );
      }
      try {
        await runPowerJob({
          n: o.n,
          workers: o.workers,
          iters: o.iters,
          dtype: o.dtype,
          seed: o.seed,
          backend,
        });
      } catch (e) {
        die('power', e);
      }
    },
  );

program
  .command('worker')
  .description('run as a worker: reads the cluster cookie on stdin and announces its address')
  .option('--bind-all', 'listen on every interface instead of 127.0.0.1')
  .option('--bind-to <address[:port]>', 'listen on and announce this address')
  .option('--interface <name>', 'listen on and announce the first IPv4 address of this interface')
  .action(async (o: { bindAll?: boolean; bindTo?: string; interface?: string }) => {
    await startWorker({ restrict: !o.bindAll, bindTo: o.bindTo, interface: o.interface });
  });

await program.parseAsync();
