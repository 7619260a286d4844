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
export function scopeChanged(): void {
  scopeGeneration++;
}

/** The public API namespace, installed by the package entry (index.ts) once it has loaded. */
let api: Record<string, unknown> = {};
const apiNames = new Set<string>();
export function setApiNamespace(ns: Record<string, unknown>): void {
  api = ns;
  apiNames.clear();
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
