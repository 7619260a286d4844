/** Code availability: everywhere() loads modules or runs functions on every process; clear() drops names. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { procs, state, workers } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecallFetch } from './calls.js';
import { CompositeException, capture, RemoteException } from './exceptions.js';
import { analyse, registerBuiltin } from './ship.js';
import { loadedModules, moduleRefs, scopeChanged, userScope } from './user-scope.js';

const loadModuleHere = registerBuiltin('loadModule', async (spec: string): Promise<string[]> => {
  const ns = (await import(spec)) as Record<string, unknown>;
  loadedModules.set(spec, ns);
  for (const [name, value] of Object.entries(ns)) {
    userScope.set(name, value);
    if (typeof value === 'function') moduleRefs.set(value, { spec, name });
  }
  // Compiled functions are rebuilt against the new scope on next use; their cache stays, since
  // callers send a hash alone to a process they know holds its source.
  scopeChanged();
  return Object.keys(ns);
});

const clearHere = registerBuiltin('clearNames', (names: string[]): void => {
  for (const n of names) {
    userScope.delete(n);
    delete (globalThis as Record<string, unknown>)[n];
  }
  scopeChanged();
});

/** Relative paths are resolved against this process's working directory, so every process loads the same file. */
function normalizeSpecifier(spec: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(spec)).href;
  return spec;
}

/** A pid or a list of pids, as Julia's `procs`/`pids` arguments take either. */
function checkProcs(list: unknown, verb: string, what: string): number[] {
  const pids = typeof list === 'number' ? [list] : list;
  if (!Array.isArray(pids) || !pids.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 1)) {
    throw new ArgumentError(
      `${verb}: ${what} must be a process id or an array of process ids (see procs()), got ${describe(list)}`,
    );
  }
  return pids as number[];
}

/**
 * Runs `run(pid)` on every pid and waits for all of them; fails with every process's error (a
 * CompositeException, like Julia's), not only the first.
 */
async function onAll(pids: number[], run: (pid: number) => Promise<unknown>, what: string): Promise<void> {
  const results = await Promise.allSettled(pids.map(run));
  const errors: Error[] = [];
  for (const [i, r] of results.entries()) {
    if (r.status === 'fulfilled') continue;
    const err = r.reason as unknown;
    errors.push(err instanceof Error ? err : new RemoteException(pids[i] as number, capture(err)));
  }
  if (errors.length > 0) throw new CompositeException(errors, what);
}

/**
 * Loads a module on every process (its exports become usable by name in shipped functions, and
 * its functions are sent by reference), or runs a function on every process. As in Julia, `procs`
 * may be a list (the result is undefined; when some processes fail, a CompositeException lists
 * each one's error in order) or one pid (the function's value is returned and that process's
 * error thrown as it is).
 *
 * @example await everywhere('./kernels.js'); await everywhere(() => { globalThis.counter = 0 })
 * @example const n = await everywhere(() => myid() * 2, { procs: 2 }) // 4
 */
export async function everywhere<T>(fn: () => T, opts: { procs: number }): Promise<Awaited<T>>;
/** On a list of processes (default: all), or with a module specifier: waits for all, resolves to undefined. */
export async function everywhere(
  what: string | (() => unknown),
  opts?: { procs?: number | number[] },
): Promise<void>;
/**
 * Implementation of both forms. A module is loaded here first (so a bad module fails once, with
 * its own error), then on the others; a function that cannot be shipped is refused before any
 * process runs it.
 */
export async function everywhere(
  what: string | (() => unknown),
  opts: { procs?: number | number[] } = {},
): Promise<unknown> {
  const one = typeof opts.procs === 'number';
  const targets = checkProcs(opts.procs ?? procs(), 'everywhere', 'procs');
  if (typeof what === 'string') {
    const spec = normalizeSpecifier(what);
    // Load here first, so a module that fails to load fails once, with its own error.
    if (targets.includes(state.myid)) await loadModuleHere(spec);
    const others = targets.filter((p) => p !== state.myid);
    await onAll(others, (p) => remotecallFetch(loadModuleHere, p, spec), `everywhere('${what}')`);
    return;
  }
  if (typeof what !== 'function') {
    throw new ArgumentError(`everywhere: expected a module specifier or a function, got ${describe(what)}`);
  }
  // A function that cannot be shipped is refused once, with its own error, before any process runs it.
  if (targets.some((p) => p !== state.myid)) analyse(what, 'the function passed to everywhere');
  if (one) return remotecallFetch(what, targets[0] as number);
  await onAll(targets, (p) => remotecallFetch(what, p), 'everywhere');
}

/** Drops global names (set by everywhere) on the given processes (one pid or a list), as Julia's clear!. */
export async function clear(names: string | string[], pids: number | number[] = workers()): Promise<void> {
  const list = typeof names === 'string' ? [names] : names;
  if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) {
    throw new ArgumentError(`clear: expected a name or an array of names, got ${describe(names)}`);
  }
  const targets = checkProcs(pids, 'clear', 'pids');
  await onAll(targets, (p) => remotecallFetch(clearHere, p, list), 'clear');
}
