#!/usr/bin/env node
/** The `darray` command line: `darray power` runs the main job; `darray worker` starts a worker. */
import '../index.js';
import { Command, InvalidArgumentError } from 'commander';
import { startWorker } from '../cluster/worker.js';
import { autoBackend } from './auto-backend.js';
import { defaultWorkers, runPowerJob } from './power.js';

const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, got '${value}'`);
  return n;
};

const program = new Command('darray').description('Julia-style distributed computing for Node.js');

program
  .command('power')
  .description('power method on an n×n matrix split by rows across local workers')
  .option('-n, --n <n>', 'matrix size', positiveInt('n'), 4096)
  .option('-w, --workers <count>', 'number of local workers', positiveInt('workers'), defaultWorkers())
  .option('-i, --iters <count>', 'iterations', positiveInt('iters'), 100)
  .option('--dtype <dtype>', 'float64 or float32', 'float64')
  .option('--seed <seed>', 'random seed', positiveInt('seed'), 1)
  .option(
    '--backend <backend>',
    'where chunks live: cpu, webgpu, tfjs, gpujs, or auto (a GPU if one is found)',
    'auto',
  )
  .action(
    async (o: {
      n: number;
      workers: number;
      iters: number;
      dtype: string;
      seed: number;
      backend: string;
    }) => {
      if (o.dtype !== 'float64' && o.dtype !== 'float32') {
        throw new InvalidArgumentError(`--dtype must be float64 or float32, got '${o.dtype}'`);
      }
      const backend = o.backend === 'auto' ? await autoBackend() : o.backend;
      await runPowerJob({
        n: o.n,
        workers: o.workers,
        iters: o.iters,
        dtype: o.dtype,
        seed: o.seed,
        backend,
      });
    },
  );

program
  .command('worker')
  .description('run as a worker: reads the cluster cookie on stdin and announces its address')
  .option('--bind-all', 'listen on every interface instead of 127.0.0.1')
  .action(async (o: { bindAll?: boolean }) => {
    await startWorker({ restrict: !o.bindAll });
  });

await program.parseAsync();
