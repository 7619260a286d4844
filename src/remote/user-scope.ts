/**
 * Names that shipped functions may use besides JS globals: the darray API and the exports of
 * modules loaded with `everywhere(moduleSpecifier)`.
 */

/** Exports of modules loaded with everywhere(), by name. */
export const userScope = new Map<string, unknown>();
/** Functions exported by those modules, so they can be sent by reference instead of by source. */
export const moduleRefs = new WeakMap<object, { spec: string; name: string }>();
/** Loaded module namespaces by specifier. */
export const loadedModules = new Map<string, Record<string, unknown>>();

/** Bumped whenever userScope changes, so compiled functions are rebuilt against the new scope. */
export let scopeGeneration = 0;
/** Call after changing userScope, so shipped functions see the new names on their next call. */
export function scopeChanged(): void {
  scopeGeneration++;
}

/** The public API namespace, installed by the package entry (index.ts) once it has loaded. */
let api: Record<string, unknown> = {};
const apiNames = new Set<string>();
/** API functions by identity, so that passing one (e.g. `remotecallFetch(myid, p)`) ships its name. */
let apiFunctions: Map<unknown, string> | undefined;
/** Bumped whenever the API namespace is installed, so answers cached by function are asked again. */
export let apiEpoch = 0;
/** Installs the public API namespace that shipped functions see by name; index.ts calls it once. */
export function setApiNamespace(ns: Record<string, unknown>): void {
  api = ns;
  apiEpoch++;
  apiNames.clear();
  apiFunctions = undefined;
}

/** The name under which `fn` is exported by the public API, if it is. */
export function apiNameOf(fn: unknown): string | undefined {
  if (!apiFunctions) {
    apiFunctions = new Map();
    for (const [k, v] of Object.entries(api))
      if (typeof v === 'function' && !apiFunctions.has(v)) apiFunctions.set(v, k);
  }
  return apiFunctions.get(fn);
}

/** Whether `name` resolves on a process without being passed: an API export, a module export or a global. */
export function resolvable(name: string): 'api' | 'user' | 'global' | undefined {
  if (apiNames.size === 0) for (const k of Object.keys(api)) apiNames.add(k);
  if (apiNames.has(name)) return 'api';
  if (userScope.has(name)) return 'user';
  if (name in globalThis) return 'global';
  return undefined;
}

/** The value a shipped function's free name is bound to on this process. */
export function lookupName(name: string): { found: boolean; value?: unknown } {
  if (name in api) return { found: true, value: api[name] };
  if (userScope.has(name)) return { found: true, value: userScope.get(name) };
  return { found: false };
}
