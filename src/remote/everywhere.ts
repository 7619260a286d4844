/** Code availability: everywhere() loads modules or runs functions on every process; clear() drops names. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { procs, state, workers } from '../cluster/state.js';
import { ArgumentError, describe } from '../errors.js';
import { remotecallFetch } from './calls.js';
import { clearCompiled, registerBuiltin } from './ship.js';
import { loadedModules, moduleRefs, scopeChanged, userScope } from './user-scope.js';

const loadModuleHere = registerBuiltin('loadModule', async (spec: string): Promise<string[]> => {
  const ns = (await import(spec)) as Record<string, unknown>;
  loadedModules.set(spec, ns);
  for (const [name, value] of Object.entries(ns)) {
    userScope.set(name, value);
    if (typeof value === 'function') moduleRefs.set(value, { spec, name });
  }
  scopeChanged();
  clearCompiled();
  return Object.keys(ns);
});

const clearHere = registerBuiltin('clearNames', (names: string[]): void => {
  for (const n of names) {
    userScope.delete(n);
    delete (globalThis as Record<string, unknown>)[n];
  }
  scopeChanged();
  clearCompiled();
});

/** Relative paths are resolved against this process's working directory, so every process loads the same file. */
function normalizeSpecifier(spec: string): string {
  if (spec.startsWith('.') || isAbsolute(spec)) return pathToFileURL(resolve(spec)).href;
  return spec;
}

function checkProcs(list: unknown, verb: string): number[] {
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'number')) {
    throw new ArgumentError(`${verb}: procs must be an array of process ids, got ${describe(list)}`);
  }
  return list;
}

/**
 * Loads a module on every process (its exports become usable by name in shipped functions, and
 * its functions are sent by reference), or runs a function on every process.
 *
 * @example await everywhere('./kernels.js'); await everywhere(() => { globalThis.counter = 0 })
 */
export async function everywhere(
  what: string | (() => unknown),
  opts: { procs?: number[] } = {},
): Promise<void> {
  const targets = checkProcs(opts.procs ?? procs(), 'everywhere');
  if (typeof what === 'string') {
    const spec = normalizeSpecifier(what);
    // Load here first, so a module that fails to load fails once, with its own error.
    if (targets.includes(state.myid)) await loadModuleHere(spec);
    await Promise.all(
      targets.filter((p) => p !== state.myid).map((p) => remotecallFetch(loadModuleHere, p, spec)),
    );
    return;
  }
  if (typeof what !== 'function') {
    throw new ArgumentError(`everywhere: expected a module specifier or a function, got ${describe(what)}`);
  }
  await Promise.all(targets.map((p) => remotecallFetch(what, p)));
}

/** Drops global names (set by everywhere) on the given processes, as Julia's clear!. */
export async function clear(names: string | string[], pids: number[] = workers()): Promise<void> {
  const list = typeof names === 'string' ? [names] : names;
  if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) {
    throw new ArgumentError(`clear: expected a name or an array of names, got ${describe(names)}`);
  }
  await Promise.all(checkProcs(pids, 'clear').map((p) => remotecallFetch(clearHere, p, list)));
}
