/**
 * Native functions have no source to ship. The standard ECMAScript globals among them (`Number`,
 * `parseInt`, `Math.max`, `JSON.stringify`, …) exist on every process, so they travel by their
 * path from `globalThis` instead. Prototype methods and host functions are not included.
 */

/** Standard global functions and the namespaces whose static functions may be shipped by path. */
const STANDARD_GLOBALS = [
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURI',
  'encodeURIComponent',
  'decodeURI',
  'decodeURIComponent',
  'Math',
  'JSON',
  'Reflect',
  'Atomics',
  'Number',
  'String',
  'Boolean',
  'BigInt',
  'Symbol',
  'Object',
  'Array',
  'Date',
  'Promise',
  'ArrayBuffer',
  'Error',
] as const;

let paths: Map<unknown, string> | undefined;
const resolved = new Map<string, (...args: unknown[]) => unknown>();

function pathIndex(): Map<unknown, string> {
  if (paths) return paths;
  const index = new Map<unknown, string>();
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of STANDARD_GLOBALS) {
    const value = g[name];
    if (typeof value === 'function' && !index.has(value)) index.set(value, name);
  }
  for (const name of STANDARD_GLOBALS) {
    const ns = g[name];
    if ((typeof ns !== 'object' && typeof ns !== 'function') || ns === null) continue;
    for (const key of Object.getOwnPropertyNames(ns)) {
      if (key === 'prototype' || key === 'constructor') continue;
      const d = Object.getOwnPropertyDescriptor(ns, key);
      if (d && typeof d.value === 'function' && !index.has(d.value)) index.set(d.value, `${name}.${key}`);
    }
  }
  paths = index;
  return index;
}

/** The path (e.g. `'Math.max'`) of a standard global function, or undefined for any other value. */
export function standardGlobalPath(fn: unknown): string | undefined {
  return pathIndex().get(fn);
}

/** The function at a standard global path, bound to its namespace (so `Promise.resolve` works unbound). */
export function resolveStandardGlobal(path: string): (...args: unknown[]) => unknown {
  const hit = resolved.get(path);
  if (hit) return hit;
  const [name, key] = path.split('.') as [string, string | undefined];
  if (!(STANDARD_GLOBALS as readonly string[]).includes(name)) {
    throw new ReferenceError(`'${path}' is not a standard global function that can be shipped by name`);
  }
  const ns = (globalThis as unknown as Record<string, unknown>)[name] as Record<string, unknown>;
  const value = key === undefined ? ns : ns[key];
  if (typeof value !== 'function') {
    throw new ReferenceError(`'${path}' is not a function on this process (mismatched Node versions?)`);
  }
  const fn = (key === undefined ? value : value.bind(ns)) as (...args: unknown[]) => unknown;
  resolved.set(path, fn);
  return fn;
}
