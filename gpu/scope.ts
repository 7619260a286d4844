/** scope(fn): frees the GPU arrays made while `fn` runs (awaits included), except those it returns. */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Anything a scope can free. */
export interface Freeable {
  dispose(): void;
}

const current = new AsyncLocalStorage<Set<Freeable>>();

/** Records a new GPU array in the innermost running scope, if any. */
export function track(x: Freeable): void {
  current.getStore()?.add(x);
}

/** The disposables reachable from a scope's result: itself, or the elements of an array or object. */
function kept(result: unknown, into: Set<unknown>): void {
  if (typeof result !== 'object' || result === null || into.has(result)) return;
  into.add(result);
  if (Array.isArray(result)) for (const r of result) kept(r, into);
  else if (Object.getPrototypeOf(result) === Object.prototype)
    for (const r of Object.values(result as Record<string, unknown>)) kept(r, into);
}

/**
 * Runs `fn` and then disposes every GPU array created inside it (across its awaits) that is not
 * part of its result; the result's arrays move to the enclosing scope. Resolves to fn's result.
 *
 * @example
 * const lambda = await scope(async () => {
 *   const y = await mul(M, v);          // freed when the scope ends
 *   return norm(y);
 * });
 */
export async function scope<T>(fn: () => T | Promise<T>): Promise<T> {
  const made = new Set<Freeable>();
  const parent = current.getStore();
  let result: T | undefined;
  try {
    result = await current.run(made, fn);
    return result;
  } finally {
    const keep = new Set<unknown>();
    kept(result, keep);
    for (const x of made) {
      if (keep.has(x)) parent?.add(x);
      else x.dispose();
    }
  }
}
