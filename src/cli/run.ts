/**
 * `darray run [-p N] [-L module]... script.js [args]`: Julia's `julia -p N -L setup.jl driver.jl`.
 * Starts the workers, loads each module on every process, then runs the script in this process
 * (process 1) and removes the workers once it is done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineFileSpecs } from '../cluster/machine-spec.js';
import { addprocs, rmprocs } from '../cluster/processes.js';
import { workers } from '../cluster/state.js';
import { everywhere } from '../remote/everywhere.js';

/** What `darray run` was asked for. */
export interface RunOptions {
  /** Local workers to start (Julia's -p); 0 starts none. */
  procs: number;
  /** A machine file (Julia's --machine-file): SSH workers on the machines it lists. */
  machineFile?: string;
  /** Extra ssh flags for the machine file's workers. */
  sshflags?: string;
  /** Modules loaded on every process, the master included, in order (Julia's -L). */
  load: string[];
  /** The script, relative to the working directory. */
  script: string;
  /** The script's own arguments: it sees them as process.argv.slice(2). */
  args: string[];
}

/** A -L module that is not there: reported in one line, without a stack. */
class LoadError extends Error {}

/**
 * The cluster the script runs on. Kept apart from running the script so that other ways to get
 * workers (a machine file, say) slot in beside `procs`.
 */
async function startCluster(o: RunOptions): Promise<void> {
  if (o.procs > 0) await addprocs(o.procs);
  if (o.machineFile !== undefined) {
    let specs: string[];
    try {
      specs = machineFileSpecs(readFileSync(o.machineFile, 'utf8'), o.machineFile);
    } catch (e) {
      throw new LoadError(`darray run: --machine-file: ${(e as Error).message}`);
    }
    await addprocs(specs, { sshflags: o.sshflags ?? [] });
  }
  // everywhere() resolves relative paths against the working directory, as Julia's -L does.
  for (const spec of o.load) {
    try {
      await everywhere(loadSpec(spec));
    } catch (e) {
      // A file that is not there gets one line; an error in the module itself is printed whole.
      if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && !existsSync(resolve(spec)))
        throw new LoadError(`darray run: -L ${spec}: no such file or package (looked for ${resolve(spec)})`);
      throw e;
    }
  }
}

/** The frames of darray run itself, its argument parser and Node's loader: noise under a user's error. */
const OWN_FRAMES = /^\s+at .*(node:internal|[\\/]commander[\\/]|[\\/]src[\\/]cli[\\/])/;

/** Prints an error once, as Node prints an uncaught one less the runner's frames, and fails the run. */
function fail(e: unknown): void {
  const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
  const lines = text.split('\n').filter((l) => !OWN_FRAMES.test(l));
  process.stderr.write(`${lines.join('\n')}\n`);
  if (!process.exitCode) process.exitCode = 1;
}

/**
 * A -L argument as everywhere() takes it: an existing file by its URL (Julia's -L names a file, so
 * `lib/setup.js` need not start with ./), anything else (a package name) as given.
 */
function loadSpec(spec: string): string {
  const path = resolve(spec);
  return existsSync(path) ? pathToFileURL(path).href : spec;
}

/**
 * Runs the script as `node script.js args` would, on a cluster set up first. The workers are removed
 * when the script is done: when its event loop has nothing left to do, as when Node itself exits
 * (work it left in callbacks still runs), or at once when its top level throws. The process exits
 * with the script's exit code.
 */
export async function runScript(o: RunOptions): Promise<void> {
  const path = resolve(o.script);
  if (!existsSync(path)) {
    process.stderr.write(`darray run: script not found: ${o.script} (looked for ${path})\n`);
    process.exitCode = 2;
    return;
  }
  let tornDown = false;
  const tearDown = async (): Promise<void> => {
    if (tornDown) return;
    tornDown = true;
    const pids = workers().filter((p) => p !== 1);
    if (pids.length > 0) await rmprocs(pids);
  };
  // Workers hold no handle open here (an idle master exits), so an empty event loop means the script
  // is done; beforeExit comes again after the teardown, which then does nothing.
  process.on('beforeExit', () => {
    tearDown().catch(fail);
  });
  try {
    await startCluster(o);
  } catch (e) {
    fail(e instanceof LoadError ? e.message : e);
    await tearDown();
    return;
  }
  process.argv = [process.argv[0] as string, path, ...o.args];
  try {
    await import(pathToFileURL(path).href);
  } catch (e) {
    fail(e);
    await tearDown();
  }
}
